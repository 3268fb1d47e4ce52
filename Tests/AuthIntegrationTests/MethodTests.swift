import AuthTestSupport
import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

/// Every method of the contract, through a real socket to a real daemon.
extension IntegrationTests {
@Suite struct MethodTests {
    @Test func registerReturnsTheUserWithoutSecrets() async throws {
        let daemon = try await TestDaemon()
        let user = try daemon.client().ok(.register, ["username": "Alice", "email": "alice@example.com", "password": "Passw0rd!"])
        #expect(Set(user.object!.keys) == ["id", "username", "email", "created_at"])
        #expect(user["username"] == "Alice")
        #expect(user["email"] == "alice@example.com")
        #expect(RFC3339.parse(user["created_at"]!.string!) != nil)
        #expect(user["created_at"]!.string!.hasSuffix("Z"))
    }

    @Test func loginByUsernameAndByEmailIssuesABearerToken() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("bob")
        for params: [String: JSON] in [["username": "BOB", "password": "Passw0rd!"], ["email": "Bob@Example.com", "password": "Passw0rd!"]] {
            let r = try c.ok(.login, params)
            #expect(r["token_type"] == "Bearer")
            #expect(r["expires_in"] == 3600)
            #expect(r["user"]?["id"]?.int64 == id)
            let verified = try c.ok(.verify, ["token": r["access_token"]!])
            #expect(verified["active"] == true)
            #expect(verified["user"]?["id"]?.int64 == id)
            #expect(verified["claims"]?["sub"] == .string(String(id)))
            #expect(verified["claims"]?["type"] == "access")
            #expect(verified["claims"]?["fresh"] == true)
        }
    }

    @Test func verifyOfGarbageIsInactiveAndMissingTokenIsInvalidParams() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        #expect(try c.ok(.verify, ["token": "not.a.token"]) == ["active": false, "reason": "invalid"])
        #expect(try c.failure(.verify, [:]).code == -32602)
    }

    @Test func anInactiveTokenSaysWhy() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("carol")
        let first = try c.login("carol")
        _ = try c.ok(.logout, ["token": .string(first)])
        #expect(try c.ok(.verify, ["token": .string(first)]) == ["active": false, "reason": "revoked"])
        let second = try c.login("carol")
        _ = try c.ok(.usersDelete, ["id": .int(id)])
        #expect(try c.ok(.verify, ["token": .string(second)]) == ["active": false, "reason": "no_user"])
    }

    /// The test runs as root: a privileged peer, which may name a user instead of giving the id.
    @Test func aPrivilegedPeerGetsAUserByUsernameOrEmail() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let id = try c.register("dave")
        #expect(try c.ok(.usersGet, ["username": "DAVE"])["id"]?.int64 == id)
        #expect(try c.ok(.usersGet, ["email": "Dave@Example.com"])["id"]?.int64 == id)
        #expect(try c.failure(.usersGet, ["username": "nobody"]).code == -32004)
        let token = try c.login("dave")
        let asNobody = try callAsNobody(daemon.socketPath, .usersGet, ["username": "dave", "token": .string(token)])
        #expect(asNobody["error"]?["data"]?["fields"] == ["id": ["Missing data for required field."]])
    }

    @Test func logoutRevokesTheToken() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("carol")
        let token = try c.login("carol")
        #expect(try c.ok(.logout, ["token": .string(token)]) == ["revoked": true, "sessions": 1])
        #expect(try c.isActive(token) == false)
        #expect(try c.failure(.logout, ["token": .string(token)]).code == -32001)
    }

    @Test func usersGetListUpdateDeleteForAPrivilegedPeer() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let ids = try ["dave", "erin", "frank"].map { try c.register($0) }
        #expect(try c.ok(.usersGet, ["id": .int(ids[1])])["username"] == "erin")

        let first = try c.ok(.usersList, ["limit": 2])
        #expect(first["users"]?.array?.compactMap { $0["id"]?.int64 } == Array(ids[0...1]))
        #expect(first["next_after_id"]?.int64 == ids[1])
        let second = try c.ok(.usersList, ["limit": 2, "after_id": first["next_after_id"]!])
        #expect(second["users"]?.array?.compactMap { $0["id"]?.int64 } == [ids[2]])
        #expect(second["next_after_id"] == .null)

        let updated = try c.ok(.usersUpdate, ["id": .int(ids[0]), "username": "david", "email": "david@example.org"])
        #expect(updated["username"] == "david")
        #expect(updated["email"] == "david@example.org")
        #expect(try c.ok(.usersDelete, ["id": .int(ids[2])]) == ["deleted": true])
        #expect(try c.failure(.usersGet, ["id": .int(ids[2])]).code == -32004)
    }

    @Test func anOrdinaryUserActsOnThemselvesWithATokenAndListsEveryone() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let me = try c.register("grace")
        let other = try c.register("heidi")
        let token = JSON.string(try c.login("grace"))
        let own = try callAsNobody(daemon.socketPath, .usersGet, ["id": .int(me), "token": token])
        #expect(own["result"]?["username"] == "grace")
        let list = try callAsNobody(daemon.socketPath, .usersList, ["token": token])
        #expect(list["result"]?["users"]?.array?.count == 2)
        let patched = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(me), "token": token, "email": "g@example.net"])
        #expect(patched["result"]?["email"] == "g@example.net")
        let forbidden = try callAsNobody(daemon.socketPath, .usersDelete, ["id": .int(other), "token": token])
        #expect(forbidden["error"]?["code"] == -32003)
        let deleted = try callAsNobody(daemon.socketPath, .usersDelete, ["id": .int(me), "token": token])
        #expect(deleted["result"] == ["deleted": true])
    }

    @Test func importKeepsTheHashAndCreationTime() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let hash = try python("import bcrypt; print(bcrypt.hashpw(b'Flask#Pass1', bcrypt.gensalt(rounds=4)).decode())")
        let user = try c.ok(.usersImport, ["username": "ivan", "email": "ivan@example.com", "password_hash": .string(hash),
                                           "created_at": "2021-03-04T05:06:07.123456"])
        #expect(user["created_at"] == "2021-03-04T05:06:07Z")
        #expect(try c.login("ivan", password: "Flask#Pass1").isEmpty == false)
    }

    @Test func healthDiscoverAndMetricsAnswer() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let health = try c.ok(.health)
        #expect(health["status"] == "ok")
        #expect(health["storage"] == (TestBackend.isPostgres ? "postgresql" : "sqlite"))
        #expect(health["version"]?.string?.isEmpty == false)
        #expect(health["uptime_s"]?.int64 != nil)

        let doc = try c.ok(.discover)
        #expect(doc["openrpc"]?.string?.hasPrefix("1.") == true)
        let names = Set(doc["methods"]?.array?.compactMap { $0["name"]?.string } ?? [])
        #expect(names == Set(RPCMethod.allCases.map(\.rawValue)))

        _ = try c.ok(.health)
        let metrics = try c.ok(.metrics)
        #expect(metrics["content_type"] == "text/plain; version=0.0.4")
        #expect(metrics["text"]?.string?.contains("authd_requests_total{method=\"system.health\",outcome=\"0\"} 2") == true)
    }
}
}
