import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

/// The contract's "behaviour every method keeps", end to end.
extension IntegrationTests {
@Suite struct BehaviourTests {
    @Test func aVerifyPipelinedAfterALoginIsAnsweredFirst() async throws {
        let daemon = try await TestDaemon(["--bcrypt-cost", "12"])
        let c = try daemon.client()
        try c.register("pipe")
        let token = try c.login("pipe")
        try c.send(RPCRequest(id: "login", method: RPCMethod.login.rawValue, params: ["username": "pipe", "password": "Passw0rd!"]).json)
        try c.send(RPCRequest(id: "verify", method: RPCMethod.verify.rawValue, params: ["token": .string(token)]).json)
        let first = try c.receive()
        let second = try c.receive()
        #expect(first["id"] == "verify")
        #expect(first["result"]?["active"] == true)
        #expect(second["id"] == "login")
        #expect(second["result"]?["access_token"] != nil)
    }

    @Test func batchesAndNotifications() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let batch = #"[{"jsonrpc":"2.0","id":1,"method":"system.health"},{"jsonrpc":"2.0","method":"system.health"},"# +
            #"{"jsonrpc":"2.0","id":2,"method":"nope"},{"foo":1}]"#
        try c.sendRaw(Array((batch + "\n").utf8))
        let answers = try #require(try c.receive().array)
        #expect(answers.count == 3)
        #expect(answers[0]["id"] == 1)
        #expect(answers[0]["result"]?["status"] == "ok")
        #expect(answers[1]["error"]?["code"] == -32601)
        #expect(answers[2]["id"] == .null)
        #expect(answers[2]["error"]?["code"] == -32600)

        // A notification gets no answer: the next line read answers the request after it.
        try c.sendRaw(Array(#"{"jsonrpc":"2.0","method":"auth.register","params":{"username":"quiet","email":"q@example.com","password":"Passw0rd!"}}"#.utf8) + [10])
        try c.sendRaw(Array(#"[{"jsonrpc":"2.0","method":"system.health"}]"#.utf8) + [10])
        #expect(try c.ok(.health)["status"] == "ok")
        // The notification still ran (in its own time: nothing says when it is done).
        var users = 0
        for _ in 0..<100 where users == 0 {
            users = try c.ok(.usersList)["users"]?.array?.count ?? 0
            if users == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(users == 1)
    }

    @Test func fiftyConcurrentRegistrationsOfOneNameYieldExactlyOneSuccess() async throws {
        let daemon = try await TestDaemon()
        let clients = try (0..<50).map { _ in try daemon.client() }
        let (successes, conflicts) = try registerConcurrently(clients, username: "Racer")
        #expect(successes == 1)
        #expect(conflicts == 49)
    }

    @Test func aRevokedTokenStaysRevokedAcrossARestart() async throws {
        let daemon = try await TestDaemon()
        try daemon.client().register("restart")
        let token = try daemon.client().login("restart")
        let kept = try daemon.client().login("restart")
        _ = try daemon.client().ok(.logout, ["token": .string(token)])
        try await daemon.restart()
        #expect(try daemon.client().isActive(token) == false)
        #expect(try daemon.client().isActive(kept) == true)
    }

    @Test func deletingAUserMakesTheirTokenInactive() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("gone")
        let token = try c.login("gone")
        _ = try c.ok(.usersDelete, ["id": .int(id)])
        #expect(try c.isActive(token) == false)
        // A new user never inherits the old id.
        #expect(try c.register("gone") != id)
    }

    @Test func changingThePasswordStoresAHashAndRevokesOldTokens() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("patch")
        let old = try c.login("patch")
        _ = try c.ok(.usersUpdate, ["id": .int(id), "token": .string(old), "password": "N3w-Secret"])
        #expect(try c.isActive(old) == false)
        let stored = try daemon.sql("SELECT password_hash FROM users")
        #expect(stored.hasPrefix("$2b$04$"))
        #expect(!stored.contains("N3w-Secret"))
        #expect(try c.failure(.login, ["username": "patch", "password": "Passw0rd!"]).code == -32001)
        let fresh = try c.login("patch", password: "N3w-Secret")
        #expect(try c.isActive(fresh))
    }

    @Test func aFlaskBcryptHashLogsInAndIsUpgraded() async throws {
        let daemon = try await TestDaemon(["--bcrypt-cost", "5"])
        let c = try daemon.client()
        // Flask-Bcrypt hashes with Python's bcrypt; older ones carry the $2a$ prefix.
        let hash = try python("import bcrypt; print(bcrypt.hashpw(b'Legacy#Pass1', bcrypt.gensalt(rounds=4, prefix=b'2a')).decode())")
        let user = try c.ok(.usersImport, ["username": "legacy", "email": "legacy@example.com", "password_hash": .string(hash)])
        let token = try c.login("legacy", password: "Legacy#Pass1")
        #expect(try c.isActive(token))
        let stored = try daemon.sql("SELECT password_hash FROM users WHERE id = \(user["id"]!.int64!)")
        #expect(stored.hasPrefix("$2b$05$"))
        #expect(try python("import bcrypt, sys; print(bcrypt.checkpw(b'Legacy#Pass1', sys.argv[1].encode()))", [stored]) == "True")
    }

    @Test func aLoginForAnUnknownUserCostsAHashToo() async throws {
        let daemon = try await TestDaemon(["--bcrypt-cost", "10"])
        let c = try daemon.client()
        try c.register("timing")
        func elapsed(_ params: [String: JSON]) throws -> Duration {
            let start = ContinuousClock.now
            #expect(try c.failure(.login, params).code == -32001)
            return ContinuousClock.now - start
        }
        let wrong = try elapsed(["username": "timing", "password": "Wrong#Pass1"])
        let unknown = try elapsed(["username": "nobody-here", "password": "Wrong#Pass1"])
        // Both pay for one cost-10 hash (tens of milliseconds); neither is free.
        #expect(unknown > wrong / 3)
        #expect(unknown > .milliseconds(10))
    }
}
}
