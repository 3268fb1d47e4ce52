import AuthJSON
import AuthTestSupport
import Testing

/// Each route through the in-process router, in front of a real authd.
@Suite struct RouterRouteTests {
    @Test func registerIs201WithTheUserAndItsLocation() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let r = try await c.send(.post, "/api/auth/register",
                                     json: ["username": "alice", "email": "alice@example.com", "password": "Passw0rd!"])
            #expect(r.status == 201)
            let id = try #require(r.json["id"]?.int64)
            #expect(r.json["username"] == "alice")
            #expect(r.json["email"] == "alice@example.com")
            #expect(r.json["created_at"]?.string?.hasSuffix("Z") == true)
            #expect(r.json.object?.keys.sorted() == ["created_at", "email", "id", "username"])
            #expect(r.header("Location") == "/api/users/\(id)")
        }
    }

    @Test func loginIs200WithTheTokenAndTheOtherFieldsOfAuthLogin() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (id, _) = try await c.account("alice")
            for credentials: JSON in [["username": "alice", "password": "Passw0rd!"], ["email": "alice@example.com", "password": "Passw0rd!"]] {
                let r = try await c.send(.post, "/api/auth/login", json: credentials)
                #expect(r.status == 200)
                #expect(r.json["access_token"]?.string?.split(separator: ".").count == 3)
                #expect(r.json["token_type"] == "Bearer")
                #expect(r.json["expires_in"] == 3600)
                #expect(r.json["user"]?["id"]?.int64 == id)
                #expect(r.header("Cache-Control") == "no-store")
            }
        }
    }

    @Test func logoutIs200AndRevokesTheToken() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (id, token) = try await c.account("alice")
            // No body and no content type, as a bare `fetch(url, {method: "POST"})` sends.
            let r = try await c.send(.post, "/api/auth/logout", token: token)
            #expect(r.status == 200)
            #expect(r.json == ["msg": "Successfully logged out"])
            #expect(isErrorShape(try await c.send(.get, "/api/users/\(id)", token: token), 401))
        }
    }

    @Test func listIsAnArrayWithALinkToTheNextPage() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (first, token) = try await c.account("alice")
            let (second, _) = try await c.account("bob")
            let (third, _) = try await c.account("carol")
            let page1 = try await c.send(.get, "/api/users/?limit=2", token: token)
            #expect(page1.status == 200)
            #expect(page1.json.array?.compactMap { $0["id"]?.int64 } == [first, second])
            #expect(page1.header("Link") == "</api/users/?limit=2&after_id=\(second)>; rel=\"next\"")
            let page2 = try await c.send(.get, "/api/users/?limit=2&after_id=\(second)", token: token)
            #expect(page2.json.array?.compactMap { $0["id"]?.int64 } == [third])
            #expect(page2.header("Link") == nil)
            let all = try await c.send(.get, "/api/users/", token: token)
            #expect(all.json.array?.count == 3)
            #expect(all.header("Link") == nil)
        }
    }

    @Test func getIs200WithTheOwnUser() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (id, token) = try await c.account("alice")
            let r = try await c.send(.get, "/api/users/\(id)", token: token)
            #expect(r.status == 200)
            #expect(r.json["id"]?.int64 == id)
            #expect(r.json["username"] == "alice")
        }
    }

    @Test func patchIs200WithTheChangedUser() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (id, token) = try await c.account("alice")
            let r = try await c.send(.patch, "/api/users/\(id)", token: token, json: ["email": "new@example.com", "username": "alice2"])
            #expect(r.status == 200)
            #expect(r.json["email"] == "new@example.com")
            #expect(r.json["username"] == "alice2")
            #expect(r.json["id"]?.int64 == id)
        }
    }

    @Test func deleteIs200AndTheUserIsGone() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (id, token) = try await c.account("alice")
            let r = try await c.send(.delete, "/api/users/\(id)", token: token)
            #expect(r.status == 200)
            #expect(r.json == ["message": "User deleted"])
            #expect(isErrorShape(try await c.send(.post, "/api/auth/login", json: ["username": "alice", "password": "Passw0rd!"]), 401))
        }
    }

    @Test func healthzIs200WithAuthdsHealth() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let r = try await c.send(.get, "/healthz")
            #expect(r.status == 200)
            #expect(r.json["status"] == "ok")
            #expect(r.json["storage"] == "sqlite")
        }
    }
}
