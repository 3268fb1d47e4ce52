import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension IntegrationTests {
    /// Brute-force protection and overload, through the real daemon.
    @Suite struct ThrottleTests {
        @Test func theSixthWrongPasswordIsThrottledDurablyWithoutAHash() async throws {
            let daemon = try await TestDaemon(["--bcrypt-cost", "10", "--login-backoff", "4"])
            let c = try daemon.client()
            let id = try c.register("target")
            var hashTime = Duration.zero
            for _ in 0..<5 {
                let start = ContinuousClock.now
                #expect(try c.failure(.login, ["username": "target", "password": "Wrong#Pass1"]).code == -32001)
                hashTime = max(hashTime, ContinuousClock.now - start)
            }
            let start = ContinuousClock.now
            let sixth = try c.failure(.login, ["username": "target", "password": "Wrong#Pass1"])
            let throttledTime = ContinuousClock.now - start
            #expect(sixth.code == -32029)
            #expect(sixth.status == 429)
            #expect((sixth.data["retry_after"]?.int64 ?? 0) >= 1)
            // No hash was spent on it.
            #expect(throttledTime < hashTime / 2)
            // Even the right password is refused while locked, and the lock survives a restart.
            try await daemon.restart()
            #expect(try daemon.client().failure(.login, ["username": "target", "password": "Passw0rd!"]).code == -32029)
            let state = try daemon.client().ok(.usersLockout, ["id": .int(id)])
            #expect(state["failures"] == 5)
            #expect(state["locked_until"]?.string != nil)
            #expect(daemon.log.contains("event=lockout"))

            // After the lock, the right password logs in and resets the count. A refused
            // attempt neither counts nor extends the lock, so asking is how to see it pass.
            let client = try daemon.client()
            #expect(try await eventually(within: .seconds(10), every: .milliseconds(100)) {
                if case .failure(let error) = try client.call(.login, ["username": "target", "password": "Passw0rd!"]) {
                    return error.code != -32029
                }
                return true
            })
            #expect(try daemon.client().login("target").isEmpty == false)
            // The success cleared its pair: the account is not locked, and a wrong password
            // is a wrong password again (the account-wide count keeps its failures).
            #expect(try daemon.client().ok(.usersLockout, ["id": .int(id)])["locked_until"] == .null)
            #expect(try daemon.client().failure(.login, ["username": "target", "password": "Wrong#Pass1"]).code == -32001)
        }

        @Test func authctlUnlockLiftsALockoutAtOnceAndShowReportsIt() async throws {
            let daemon = try await TestDaemon(["--login-backoff", "600"])
            let c = try daemon.client()
            let id = try c.register("locked")
            for _ in 0..<5 { _ = try c.failure(.login, ["username": "locked", "password": "Wrong#Pass1"]) }
            #expect(try c.failure(.login, ["username": "locked", "password": "Passw0rd!"]).code == -32029)
            let show = try run(TestDaemon.authctl, ["--socket", daemon.socketPath, "user", "show", String(id)])
            #expect(show.stdout.contains("failed_logins: 5"))
            #expect(show.stdout.contains("locked_until: "))
            let unlock = try run(TestDaemon.authctl, ["--socket", daemon.socketPath, "user", "unlock", String(id)])
            #expect(unlock.status == 0)
            #expect(unlock.stdout == "unlocked user \(id)\n")
            #expect(try c.login("locked").isEmpty == false)
        }

        @Test func aClientIsThrottledByUidButAPrivilegedPeerNever() async throws {
            let daemon = try await TestDaemon(["--socket-group", "nogroup", "--login-client-limit", "3", "--login-backoff", "600"])
            let c = try daemon.client()
            try c.register("someone")
            // Unknown names count against the client (uid 65534) only.
            for n in 0..<3 {
                let r = try callAsNobody(daemon.socketPath, .login, ["username": .string("ghost\(n)"), "password": "Wrong#Pass1"])
                #expect(r["error"]?["code"] == -32001)
            }
            let throttled = try callAsNobody(daemon.socketPath, .login, ["username": "someone", "password": "Passw0rd!"])
            #expect(throttled["error"]?["code"] == -32029)
            // Root, failing as often, is never throttled as a client...
            for n in 0..<5 { _ = try c.failure(.login, ["username": .string("ghost\(n)"), "password": "Wrong#Pass1"]) }
            #expect(try c.login("someone").isEmpty == false)
            // ...but the addresses a gateway names are, each on its own.
            for _ in 0..<3 {
                _ = try c.failure(.login, ["username": "ghost", "password": "Wrong#Pass1", "client": "203.0.113.7"])
            }
            #expect(try c.failure(.login, ["username": "someone", "password": "Passw0rd!", "client": "203.0.113.7"]).code == -32029)
            _ = try c.ok(.login, ["username": "someone", "password": "Passw0rd!", "client": "198.51.100.9"])
        }

        @Test func aLoginFloodBeyondTheQueueGets503QuicklyWhileVerifyStaysClean() async throws {
            // Every attempt is counted while in flight, so 20 at once from one peer would pass
            // the pair's limit; this test is about the queue, so the limit is set above them.
            let daemon = try await TestDaemon(["--bcrypt-cost", "12", "--hash-threads", "1", "--hash-queue-limit", "2",
                                               "--login-account-limit", "100"])
            let setup = try daemon.client()
            try setup.register("flood", password: "Passw0rd!")
            let token = try setup.login("flood")
            let verifyErrors = VerifyLoop(socket: daemon.socketPath, token: token)
            let flood = try daemon.client()
            let start = ContinuousClock.now
            for n in 0..<20 {
                try flood.send(RPCRequest(id: .int(n), method: RPCMethod.login.rawValue,
                                          params: ["username": "flood", "password": "Passw0rd!"]).json)
            }
            var firstRefusal: Duration?
            var refused = 0
            for _ in 0..<20 {
                let r = try flood.receive()
                if r["error"]?["code"] == -32050 {
                    refused += 1
                    firstRefusal = firstRefusal ?? ContinuousClock.now - start
                }
            }
            let errors = verifyErrors.stop()
            #expect(refused >= 15)
            #expect(firstRefusal.map { $0 < .milliseconds(200) } == true)
            #expect(errors.checked > 20)
            #expect(errors.failed == 0)
        }
    }
}

/// `auth.verify` in a loop on a thread of its own, counting answers that are not "active".
final class VerifyLoop: @unchecked Sendable {
    // @unchecked: the counters are written by the loop thread and read after `done` is signalled.
    private var running = true
    private var counts = (checked: 0, failed: 0)
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()

    init(socket: String, token: String) {
        Thread { [self] in
            if let c = try? AuthClient(path: socket) {
                while lock.withLock({ running }) {
                    let ok = (try? c.call(.verify, ["token": .string(token)]).get()["active"]) == .bool(true)
                    lock.withLock { counts = (counts.checked + 1, counts.failed + (ok ? 0 : 1)) }
                }
            }
            done.signal()
        }.start()
    }

    func stop() -> (checked: Int, failed: Int) {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { counts }
    }
}
