import Testing
import Synchronization
@testable import AuthCore

/// The brute-force rules: how long each failure past the limit locks, per scope.
@Suite struct LoginThrottleTests {
    @Test func underTheLimitNothingIsLocked() {
        let rules = LoginThrottle()
        for failures in 0..<5 { #expect(rules.lockSeconds(failures: failures, scope: .pair) == nil) }
        for failures in 0..<50 { #expect(rules.lockSeconds(failures: failures, scope: .client) == nil) }
    }

    @Test func eachFailurePastTheLimitDoublesTheLock() {
        let rules = LoginThrottle(accountLimit: 5, baseDelay: 2, maxDelay: 900)
        #expect((5...12).map { rules.lockSeconds(failures: $0, scope: .pair) } == [2, 4, 8, 16, 32, 64, 128, 256])
    }

    @Test func theLockIsCappedAtMaxDelayAndNeverOverflows() {
        let rules = LoginThrottle(accountLimit: 5, baseDelay: 2, maxDelay: 900)
        #expect(rules.lockSeconds(failures: 13, scope: .pair) == 512)
        #expect(rules.lockSeconds(failures: 14, scope: .pair) == 900)
        for failures in [34, 35, 66, 67, 1_000, Int.max] {
            #expect(rules.lockSeconds(failures: failures, scope: .pair) == 900, "\(failures)")
        }
        let huge = LoginThrottle(baseDelay: Int64.max / 4, maxDelay: Int64.max)
        #expect(huge.lockSeconds(failures: 8, scope: .pair) == Int64.max)
    }

    @Test func eachScopeCountsAgainstItsOwnLimit() {
        let rules = LoginThrottle(accountLimit: 3, clientLimit: 10, baseDelay: 5, maxDelay: 60)
        #expect(rules.lockSeconds(failures: 3, scope: .pair) == 5)
        #expect(rules.lockSeconds(failures: 3, scope: .client) == nil)
        #expect(rules.lockSeconds(failures: 10, scope: .client) == 5)
        #expect(rules.lockSeconds(failures: 11, scope: .client) == 10)
        #expect(rules.limit(for: .pair) == 3)
        #expect(rules.limit(for: .client) == 10)
    }

    @Test func theAccountWideLimitIsItsOwn() {
        let rules = LoginThrottle(accountLimit: 3, accountWideLimit: 20, baseDelay: 5, maxDelay: 60)
        #expect(rules.lockSeconds(failures: 19, scope: .account) == nil)
        #expect(rules.lockSeconds(failures: 20, scope: .account) == 5)
    }

    @Test func anAttemptIsCountedPerPairAccountAndClientInOneOrder() {
        let rules = LoginThrottle()
        let peer = Caller(uid: 1000, isPrivileged: false).throttleClient(client: "203.0.113.9")
        #expect(peer == ThrottleClient(name: "uid:1000", isExempt: false))
        #expect(rules.keys(account: "id:7", client: peer).map { "\($0.scope.rawValue) \($0.key)" }
                == ["pair id:7|uid:1000", "account id:7", "client uid:1000"])
        // A privileged peer has pairs, never a client count of its own...
        let root = Caller(uid: 0, isPrivileged: true).throttleClient(client: nil)
        #expect(rules.keys(account: "id:7", client: root).map(\.scope) == [.pair, .account])
        // ...but the addresses it names are counted.
        let named = Caller(uid: 0, isPrivileged: true).throttleClient(client: "203.0.113.9")
        #expect(named == ThrottleClient(name: "addr:203.0.113.9", isExempt: false))
    }

    @Test func anIPv6ClientIsCountedByItsSlash64() {
        let gateway = Caller(uid: 996, isPrivileged: false, isGateway: true)
        let names = ["2001:db8:1:2::1", "2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002:abcd::9"]
            .map { gateway.throttleClient(client: $0).name }
        #expect(Set(names) == ["addr:2001:db8:1:2::/64"])
        #expect(gateway.throttleClient(client: "2001:db8:1:3::1").name == "addr:2001:db8:1:3::/64")
        #expect(gateway.throttleClient(client: "::ffff:192.0.2.1").name == "addr:192.0.2.1")
        #expect(gateway.throttleClient(client: "192.0.2.1").name == "addr:192.0.2.1")
        #expect(gateway.throttleClient(client: String(repeating: "x", count: 500)).name.count == 105)
    }
}

/// The gate that keeps a pair's logins in flight one short of its limit.
@Suite struct KeyedGateTests {
    /// Who is inside, per key, and the most ever at once.
    final class Occupancy: Sendable {
        private let state = Mutex((inside: [String: Int](), most: [String: Int]()))
        func enter(_ key: String) {
            state.withLock { s in
                s.inside[key, default: 0] += 1
                s.most[key] = max(s.most[key] ?? 0, s.inside[key]!)
            }
        }
        func leave(_ key: String) { state.withLock { $0.inside[key]! -= 1 } }
        func most(_ key: String) -> Int { state.withLock { $0.most[key] ?? 0 } }
    }

    @Test func atMostWidthAtOnceForAKeyAndOthersUnheld() async throws {
        let gate = KeyedGate()
        let occupancy = Occupancy()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                let key = n % 4 == 0 ? "other" : "pair"
                group.addTask {
                    try await gate.run(key, width: 3) {
                        occupancy.enter(key)
                        try await Task.sleep(for: .milliseconds(5))
                        occupancy.leave(key)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(occupancy.most("pair") == 3)
        #expect((1...3).contains(occupancy.most("other")))
        // A key nobody is inside of or waiting for takes no memory.
        #expect(gate.busyKeys == 0)
    }

    @Test func aThrowingBodyGivesItsPlaceUp() async throws {
        let gate = KeyedGate()
        struct Failure: Error {}
        await #expect(throws: Failure.self) { try await gate.run("k", width: 1) { throw Failure() } }
        #expect(try await gate.run("k", width: 1) { 7 } == 7)
        #expect(gate.busyKeys == 0)
    }
}
