import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Synchronization
import Testing

extension IntegrationTests {
    /// The token-state memory under a bound far smaller than the tokens checked (issue #15).
    @Suite struct TokenMemoryTests {
        @Test func aLogoutStormUnderEvictionNeverLeavesARevokedTokenActive() async throws {
            let daemon = try await TestDaemon(["--cache-users", "10"])
            let c = try daemon.client()
            let users = 40
            var kept: [String] = []
            var ended: [String] = []
            for n in 1...users {
                _ = try c.register("storm\(n)")
                kept.append(try c.login("storm\(n)"))
                ended.append(try c.login("storm\(n)"))
            }
            // A checker cycles through every token meanwhile, so that users are evicted and read
            // again all along: a token whose logout was acknowledged before its check began
            // must never be answered active.
            let acknowledged = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
            let wrong = Mutex<[String]>([])
            let socket = daemon.socketPath
            let endedTokens = ended
            let checker = Thread {
                guard let v = try? AuthClient(path: socket) else { return }
                var i = 0
                while !stop.load(ordering: .relaxed) {
                    let done = acknowledged.load(ordering: .acquiring)
                    let index = i % users
                    i += 1
                    guard case .success(let answer)? = try? v.call(.verify, ["token": .string(endedTokens[index])]) else { continue }
                    if index < done, answer["active"] == true { wrong.withLock { $0.append("storm\(index + 1)") } }
                }
            }
            checker.start()
            for (index, token) in ended.enumerated() {
                _ = try c.ok(.logout, ["token": .string(token)])
                acknowledged.store(index + 1, ordering: .releasing)
                // Between logouts, the other users' tokens push this one's user out of memory.
                for other in kept.shuffled().prefix(15) { #expect(try c.isActive(other)) }
                #expect(try !c.isActive(token))
            }
            stop.store(true, ordering: .relaxed)
            #expect(wrong.withLock { $0 }.isEmpty, "revoked tokens answered active: \(wrong.withLock { $0 })")
            for token in ended { #expect(try !c.isActive(token)) }
            for token in kept { #expect(try c.isActive(token)) }
            // The memory stayed within its bound by evicting, and still answered most checks itself.
            #expect(try c.metric("authd_token_cache_evictions_total") ?? 0 > 0)
            #expect(try c.metric("authd_token_cache_hits_total") ?? 0 > 0)
            #expect(try c.metric("authd_token_cache_misses_total") ?? 0 > 0)
        }
    }
}
