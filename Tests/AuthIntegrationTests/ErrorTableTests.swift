import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

/// Each row of the contract's error table, provoked through a real socket.
extension IntegrationTests {
@Suite struct ErrorTableTests {
    func raw(_ c: AuthClient, _ line: String) throws -> JSON {
        try c.sendRaw(Array((line + "\n").utf8))
        return try c.receive()
    }

    @Test func parseErrorHasNullIdAndKeepsTheConnectionOpen() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let r = try raw(c, #"{"jsonrpc":"2.0","id":1,"method":"#)
        #expect(r["id"] == .null)
        #expect(r["error"]?["code"] == -32700)
        #expect(r["error"]?["data"]?["status"] == 400)
        #expect(try c.ok(.health)["status"] == "ok")
    }

    @Test func invalidRequestAnswersWithTheIdItCouldRead() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let r = try raw(c, #"{"jsonrpc":"1.0","id":"abc","method":"system.health"}"#)
        #expect(r["id"] == "abc")
        #expect(r["error"]?["code"] == -32600)
        #expect(try raw(c, "[]")["error"]?["code"] == -32600)
        #expect(try raw(c, "42")["error"]?["code"] == -32600)
    }

    @Test func oversizedLineIs413AndClosesTheConnection() async throws {
        let daemon = try await TestDaemon(["--max-request-bytes", "1024"])
        let c = try daemon.client()
        let big = #"{"jsonrpc":"2.0","id":1,"method":"system.health","params":{"pad":""# + String(repeating: "x", count: 2000) + #""}}"#
        let r = try raw(c, big)
        #expect(r["error"]?["code"] == -32600)
        #expect(r["error"]?["data"]?["status"] == 413)
        #expect(try c.receiveLine() == nil)
        // A line just under the limit is still served.
        let fine = try daemon.client()
        #expect(try fine.ok(.health)["status"] == "ok")
    }

    @Test func unknownMethodIs404() async throws {
        let daemon = try await TestDaemon()
        let e = try daemon.client().call("users.nope", [:])
        guard case .failure(let error) = e else { Issue.record("expected an error"); return }
        #expect(error.code == -32601)
        #expect(error.status == 404)
    }

    @Test func paramsByPositionAreInvalidParams() async throws {
        let daemon = try await TestDaemon()
        let r = try raw(try daemon.client(), #"{"jsonrpc":"2.0","id":7,"method":"auth.register","params":["a","b","c"]}"#)
        #expect(r["id"] == 7)
        #expect(r["error"]?["code"] == -32602)
    }

    @Test func validationReportsEveryFieldAtOnce() async throws {
        let daemon = try await TestDaemon()
        let e = try daemon.client().failure(.register, ["username": "12", "email": "nope", "password": "short"])
        #expect(e.code == -32602)
        #expect(e.status == 400)
        let fields = e.data["fields"]?.object
        #expect(fields?["username"] == ["Length must be between 3 and 80.", "Must not consist of digits only."])
        #expect(fields?["email"] == ["Not a valid email address."])
        #expect(fields?["password"]?.array?.count == 4)
    }

    @Test func unauthenticatedForbiddenAndNotFound() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let alice = try c.register("alice")
        let bob = try c.register("bob")
        let token = JSON.string(try c.login("alice"))

        let noToken = try callAsNobody(daemon.socketPath, .usersGet, ["id": .int(alice)])
        #expect(noToken["error"]?["code"] == -32001)
        #expect(noToken["error"]?["data"]?["status"] == 401)
        let forged = try callAsNobody(daemon.socketPath, .usersGet, ["id": .int(alice), "token": "eyJhbGciOiJub25lIn0.e30."])
        #expect(forged["error"]?["code"] == -32001)
        let other = try callAsNobody(daemon.socketPath, .usersGet, ["id": .int(bob), "token": token])
        #expect(other["error"]?["code"] == -32003)
        #expect(other["error"]?["data"]?["status"] == 403)
        // Permission comes before existence: a missing id is still someone else's.
        let missing = try callAsNobody(daemon.socketPath, .usersGet, ["id": 999, "token": token])
        #expect(missing["error"]?["code"] == -32003)
        // Authentication comes before validation.
        let badBoth = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(alice), "token": "x", "email": "bad"])
        #expect(badBoth["error"]?["code"] == -32001)
        let privileged = try c.failure(.usersGet, ["id": 999])
        #expect(privileged.code == -32004)
        #expect(privileged.status == 404)
        // A bad token is refused even for a privileged peer.
        #expect(try c.failure(.usersGet, ["id": .int(alice), "token": "x"]).code == -32001)
        let importer = try callAsNobody(daemon.socketPath, .usersImport, [
            "token": token, "username": "zed", "email": "zed@example.com", "password_hash": "$2b$04$abcdefghijklmnopqrstuu",
        ])
        #expect(importer["error"]?["code"] == -32003)
        let metrics = try callAsNobody(daemon.socketPath, .metrics, [:])
        #expect(metrics["error"]?["code"] == -32003)
    }

    @Test func aTokenFromTheGatewaysGroupActsAsItsUserEvenWhenThePeerIsPrivileged() async throws {
        // nobody is in the admin group and in the gateway's group (--metrics-group).
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--metrics-group", "nogroup", "--admin-group", "nogroup"])
        let c = try daemon.client()
        try c.register("alice")
        let bob = try c.register("bob")
        let token = JSON.string(try c.login("alice"))
        for method in [RPCMethod.usersGet, .usersDelete, .usersLockout] {
            let other = try callAsNobody(daemon.socketPath, method, ["id": .int(bob), "token": token])
            #expect(other["error"]?["code"] == -32003, "\(method)")
        }
        // Without a token it is still privileged, and root stays privileged with a token.
        #expect(try callAsNobody(daemon.socketPath, .usersGet, ["id": .int(bob)])["result"]?["id"] == .int(bob))
        #expect(try c.ok(.usersGet, ["id": .int(bob), "token": token])["id"] == .int(bob))
    }

    @Test func conflictNamesTheFieldUsernameFirst() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("judy")
        let both = try c.failure(.register, ["username": "JUDY", "email": "JUDY@example.com", "password": "Passw0rd!"])
        #expect(both.code == -32009)
        #expect(both.status == 409)
        #expect(both.data["field"] == "username")
        let email = try c.failure(.register, ["username": "judy2", "email": "Judy@Example.com", "password": "Passw0rd!"])
        #expect(email.data["field"] == "email")
    }

    @Test func internalErrorsTellTheClientNothing() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("kim")
        // Break the storage under the daemon: the failure must stay in the log.
        // Renamed, not dropped: PostgreSQL refuses to drop a table other tables reference.
        try daemon.sql("ALTER TABLE users RENAME TO users_gone")
        let e = try c.failure(.usersList)
        #expect(e.code == -32603)
        #expect(e.status == 500)
        #expect(e.message == "Internal error")
        #expect(e.data == ["status": 500])
        #expect(daemon.log.contains("users"))
        #expect(daemon.log.contains("no such table") || daemon.log.contains("does not exist"))
    }

    @Test func overloadedHashQueueIs503WithRetryAfter() async throws {
        let daemon = try await TestDaemon(["--bcrypt-cost", "12", "--hash-threads", "1", "--hash-queue-limit", "1"])
        let c = try daemon.client()
        for n in 0..<6 {
            try c.send(RPCRequest(id: .int(n), method: RPCMethod.register.rawValue,
                                  params: ["username": .string("user\(n)"), "email": .string("u\(n)@example.com"), "password": "Passw0rd!"]).json)
        }
        var codes: [Int] = []
        for _ in 0..<6 {
            let r = try c.receive()
            if let code = r["error"]?["code"]?.int64 {
                codes.append(Int(code))
                #expect(r["error"]?["data"]?["retry_after"]?.int64 ?? 0 >= 1)
                #expect(r["error"]?["data"]?["status"] == 503)
            }
        }
        #expect(codes.contains(-32050))
        #expect(codes.allSatisfy { $0 == -32050 })
    }
}
}
