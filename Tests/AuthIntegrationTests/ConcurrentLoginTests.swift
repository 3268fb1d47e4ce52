import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension IntegrationTests {
    /// Logins sent at once (issue #13, items 1, 2, 5 and 9): counted before their hash,
    /// and never issuing a token from a hash that is no longer current.
    @Suite struct ConcurrentLoginTests {
        static func login(_ id: Int, _ username: String, _ password: String = "Wrong#Pass1", client: String? = nil) -> JSON {
            var params: [String: JSON] = ["username": .string(username), "password": .string(password)]
            if let client { params["client"] = .string(client) }
            return RPCRequest(id: .int(Int64(id)), method: RPCMethod.login.rawValue, params: params).json
        }

        /// Password hashes spent on wrong passwords: every one is a `login_failed` event,
        /// and an attempt refused as throttled is not.
        static func hashedFailures(_ c: AuthClient) throws -> Int {
            Int(try c.metric("authd_auth_events_total{event=\"login_failed\"}") ?? 0)
        }

        @Test func aLoginInFlightWhenThePasswordChangesGetsNoLiveToken() async throws {
            // A pair limit above the 10 attempts, so that only the race decides their answers.
            let daemon = try await TestDaemon(["--bcrypt-cost", "10", "--login-account-limit", "20"])
            let c = try daemon.client()
            let id = try c.register("racer")
            let pipe = try daemon.client()
            try pipe.send(RPCRequest(id: 0, method: RPCMethod.usersUpdate.rawValue,
                                     params: ["id": .int(id), "password": "N3w#Passw0rd"]).json)
            for n in 1...10 { try pipe.send(Self.login(n, "racer", "Passw0rd!")) }
            var updated = false, answeredAfter = 0
            var tokens: [String] = []
            for _ in 0...10 {
                let r = try pipe.receive()
                if r["id"] == 0 {
                    #expect(r["result"]?["id"] == .int(id))
                    updated = true
                } else if let token = r["result"]?["access_token"]?.string {
                    // A login whose check came just before the change may be answered just
                    // after it (answers go out as they finish): its token must be dead, below.
                    tokens.append(token)
                } else {
                    #expect(r["error"]?["code"] == -32001)
                    if updated { answeredAfter += 1 }
                }
            }
            #expect(updated)
            // No token from before the change stays active.
            for token in tokens { #expect(try !c.isActive(token)) }
            #expect(tokens.count + answeredAfter <= 10)
            #expect(try c.login("racer", password: "N3w#Passw0rd").isEmpty == false)
        }

        /// Right passwords sent at once are not failures: twelve logins of one account from
        /// one client, pipelined on one connection and on twelve, all succeed under the
        /// default limit of 5 (attempts beyond the limit's width wait for those in flight
        /// instead of counting as failures that lock the pair).
        @Test func rightPasswordsSentAtOnceAllLogIn() async throws {
            let daemon = try await TestDaemon(["--bcrypt-cost", "8"])
            let c = try daemon.client()
            try c.register("crowd")
            let pipe = try daemon.client()
            for n in 1...12 { try pipe.send(Self.login(n, "crowd", "Passw0rd!")) }
            let piped = try (1...12).map { _ in try pipe.receive() }
            #expect(piped.allSatisfy { $0["result"]?["access_token"]?.string != nil }, "\(piped.compactMap { $0["error"] })")
            let clients = try (1...12).map { _ in try daemon.client() }
            for (n, client) in clients.enumerated() { try client.send(Self.login(n, "crowd", "Passw0rd!")) }
            let spread = try clients.map { try $0.receive() }
            #expect(spread.allSatisfy { $0["result"]?["access_token"]?.string != nil }, "\(spread.compactMap { $0["error"] })")
            // And the limit still holds for wrong ones sent at once: at most 5 hashed.
            let before = try Self.hashedFailures(c)
            for n in 1...12 { try pipe.send(Self.login(n, "crowd")) }
            let wrong = try (1...12).map { _ in try pipe.receive() }
            #expect(wrong.filter { $0["error"]?["code"] == -32001 }.count == 5)
            #expect(try Self.hashedFailures(c) - before == 5)
        }

        @Test func burstsOf300WrongLoginsHashAtMostTheLimit() async throws {
            let daemon = try await TestDaemon(["--bcrypt-cost", "4", "--login-backoff", "600"])
            let c = try daemon.client()
            try c.register("piped")
            try c.register("batched")

            let pipe = try daemon.client()
            for n in 0..<300 { try pipe.send(Self.login(n, "piped")) }
            var codes: [Int: Int] = [:]
            for _ in 0..<300 { codes[try pipe.receive()["error"]?["code"]?.int64.map(Int.init) ?? 0, default: 0] += 1 }
            #expect(codes == [-32001: 5, -32029: 295])
            #expect(try Self.hashedFailures(c) == 5)

            // A batch's members run at once; 100 is the most a batch may hold.
            let batch = try daemon.client()
            try batch.send(.array((0..<100).map { Self.login($0, "batched") }))
            let answers = try batch.receive().array ?? []
            #expect(answers.count == 100)
            #expect(answers.filter { $0["error"]?["code"] == -32001 }.count == 5)
            #expect(answers.filter { $0["error"]?["code"] == -32029 }.count == 95)
            #expect(try Self.hashedFailures(c) == 10)
        }

        @Test func anUnprivilegedPeersPipelinedGuessesStopAtItsClientLimit() async throws {
            let daemon = try await TestDaemon(["--socket-group", "nogroup", "--bcrypt-cost", "4", "--login-backoff", "600"])
            // 120 wrong logins for as many names, pipelined by nobody: only the client's
            // count (50) can stop them, and it holds however many arrive at once.
            let lines = (0..<120).map { Self.login($0, "guess\($0)").text }.joined(separator: "\n")
            let code = """
                import collections, json, socket, sys
                s = socket.socket(socket.AF_UNIX)
                s.connect(sys.argv[1])
                s.sendall(sys.argv[2].encode() + b"\\n")
                f = s.makefile()
                codes = collections.Counter(json.loads(f.readline())["error"]["code"] for _ in range(120))
                print(json.dumps(codes, sort_keys=True))
                """
            let r = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", code,
                                                 daemon.socketPath, lines])
            #expect(r.stdout == "{\"-32029\": 70, \"-32001\": 50}\n", "\(r.stderr)")
            #expect(try Self.hashedFailures(daemon.client()) == 50)
        }

        @Test func anUnknownNameIsCountedAndLockedLikeAnExistingOne() async throws {
            let daemon = try await TestDaemon(["--login-backoff", "600"])
            let c = try daemon.client()
            try c.register("known")
            let rows = { try Int(daemon.sql("SELECT COUNT(*) FROM login_failures")) ?? -1 }
            var written: [Int] = []
            var refusals: [RPCError] = []
            for name in ["known", "unknown"] {
                let before = try rows()
                var errors: [RPCError] = []
                for _ in 0..<6 { errors.append(try c.failure(.login, ["username": .string(name), "password": "Wrong#Pass1"])) }
                written.append(try rows() - before)
                #expect(errors.prefix(5).allSatisfy { $0.code == -32001 && $0.message == errors[0].message })
                refusals.append(errors[5])
            }
            #expect(refusals.allSatisfy { $0.code == -32029 && $0.message == refusals[0].message })
            #expect(refusals.allSatisfy { ($0.data["retry_after"]?.int64 ?? 0) > 590 })
            // The same rows (the pair and the account) for both, and the same counts.
            #expect(written == [2, 2])
            #expect(try daemon.sql("SELECT COUNT(*) FROM login_failures WHERE scope = 'account' AND failures = 5") == "2")
            #expect(try daemon.sql("SELECT COUNT(*) FROM login_failures WHERE key LIKE '%unknown%'") == "0")
        }

        @Test func pairsLockEveryPeerAndTheAccountWideLimitCatchesSpreadGuesses() async throws {
            let daemon = try await TestDaemon(["--login-account-limit", "2", "--login-account-wide-limit", "5",
                                               "--login-client-limit", "1000", "--login-backoff", "600"])
            let c = try daemon.client()
            let id = try c.register("spread")
            // An IPv6 client is counted by its /64: two addresses of one /64 are one pair.
            for address in ["2001:db8:1:2::1", "2001:db8:1:2::ffff"] {
                #expect(try c.failure(.login, ["username": "spread", "password": "Wrong#Pass1", "client": .string(address)]).code == -32001)
            }
            #expect(try c.failure(.login, ["username": "spread", "password": "Passw0rd!", "client": "2001:db8:1:2:abcd::9"]).code == -32029)
            // Another client of the same account is not locked by that pair...
            _ = try c.ok(.login, ["username": "spread", "password": "Passw0rd!", "client": "2001:db8:1:3::1"])
            // ...until the account-wide limit is reached from many clients.
            for n in 1...4 {
                _ = try c.failure(.login, ["username": "spread", "password": "Wrong#Pass1", "client": .string("192.0.2.\(n)")])
            }
            #expect(try c.failure(.login, ["username": "spread", "password": "Passw0rd!", "client": "198.51.100.1"]).code == -32029)
            let state = try c.ok(.usersLockout, ["id": .int(id)])
            #expect(state["failures"] == 5)
            #expect(state["locked_until"]?.string != nil)
            _ = try c.ok(.usersUnlock, ["id": .int(id)])
            _ = try c.ok(.login, ["username": "spread", "password": "Passw0rd!", "client": "198.51.100.1"])
        }
    }
}
