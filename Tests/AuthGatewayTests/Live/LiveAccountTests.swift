import AuthJSON
import Testing

extension LiveTests {
    /// The Flask app's account flows, end to end over HTTP.
    @Suite struct Accounts {
        @Test func registerThenDuplicatesAre409WithTheField() async throws {
            let s = try await LiveStack()
            let alice = try s.http.json("POST", "/api/auth/register", ["username": "alice", "email": "alice@example.com", "password": "Passw0rd!"])
            #expect(alice.status == 201)
            #expect(alice.json["username"] == "alice")
            #expect(alice.json["password"] == nil)
            let name = try s.http.json("POST", "/api/auth/register", ["username": "Alice", "email": "other@example.com", "password": "Passw0rd!"])
            #expect(isErrorShape(name, 409))
            #expect(name.json["error"]?["field"] == "username")
            let email = try s.http.json("POST", "/api/auth/register", ["username": "other", "email": "ALICE@example.com", "password": "Passw0rd!"])
            #expect(isErrorShape(email, 409))
            #expect(email.json["error"]?["field"] == "email")
        }

        @Test func loginByUsernameAndByEmailAndAWrongPasswordIs401() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            for credentials: JSON in [["username": "alice", "password": "Passw0rd!"], ["email": "alice@example.com", "password": "Passw0rd!"]] {
                let r = try s.http.json("POST", "/api/auth/login", credentials)
                #expect(r.status == 200)
                #expect(r.json["token_type"] == "Bearer")
                #expect(r.json["user"]?["id"]?.int64 == id)
                #expect(r.header("Cache-Control") == "no-store")
            }
            let wrong = try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd?"])
            #expect(isErrorShape(wrong, 401))
        }

        @Test func ownIdIs200AnotherOrMissingIdIs403() async throws {
            let s = try await LiveStack()
            let alice = try s.register("alice")
            let bob = try s.register("bob")
            let token = try s.login("alice")
            let own = try s.http.request("GET", "/api/users/\(alice)", headers: s.bearer(token))
            #expect(own.status == 200)
            #expect(own.json["id"]?.int64 == alice)
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(bob)", headers: s.bearer(token)), 403))
            #expect(isErrorShape(try s.http.request("GET", "/api/users/987654", headers: s.bearer(token)), 403))
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(alice)"), 401))
        }

        @Test func listPagesWithLimitAndAfterId() async throws {
            let s = try await LiveStack()
            let ids = try ["ann", "ben", "cat", "dan", "eve"].map { try s.register($0) }
            let token = try s.login("ann")
            var seen: [Int64] = []
            var path = "/api/users/?limit=2"
            while true {
                let r = try s.http.request("GET", path, headers: s.bearer(token))
                #expect(r.status == 200)
                seen += r.json.array?.compactMap { $0["id"]?.int64 } ?? []
                guard let link = r.header("Link") else { break }
                #expect(link.hasSuffix(">; rel=\"next\""))
                path = String(link.dropFirst().prefix { $0 != ">" })
            }
            #expect(seen == ids)
            let after = try s.http.request("GET", "/api/users/?after_id=\(ids[2])", headers: s.bearer(token))
            #expect(after.json.array?.compactMap { $0["id"]?.int64 } == Array(ids[3...]))
            let bad = try s.http.request("GET", "/api/users/?limit=0", headers: s.bearer(token))
            #expect(isErrorShape(bad, 400))
            #expect(bad.json["error"]?["messages"]?["limit"] != nil)
        }

        @Test func patchChangesTheUserAndANewPasswordRevokesTheOldToken() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            let email = try s.http.json("PATCH", "/api/users/\(id)", ["email": "alice@new.example"], headers: s.bearer(token))
            #expect(email.status == 200)
            #expect(email.json["email"] == "alice@new.example")
            let invalid = try s.http.json("PATCH", "/api/users/\(id)", ["password": "weak"], headers: s.bearer(token))
            #expect(isErrorShape(invalid, 400))
            #expect(invalid.json["error"]?["messages"]?["password"]?.array?.isEmpty == false)
            let password = try s.http.json("PATCH", "/api/users/\(id)", ["password": "N3w-Passw0rd"], headers: s.bearer(token))
            #expect(password.status == 200)
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)), 401))
            #expect(isErrorShape(try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"]), 401))
            let fresh = try s.login("alice", password: "N3w-Passw0rd")
            #expect(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(fresh)).status == 200)
        }

        @Test func deleteRemovesTheUserAndTheirTokens() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            let r = try s.http.request("DELETE", "/api/users/\(id)", headers: s.bearer(token))
            #expect(r.status == 200)
            #expect(r.json == ["message": "User deleted"])
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)), 401))
            #expect(isErrorShape(try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"]), 401))
        }

        @Test func logoutThenTheSameTokenIs401() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            // A bare POST: no body, no content type.
            let out = try s.http.request("POST", "/api/auth/logout", headers: s.bearer(token))
            #expect(out.status == 200)
            #expect(out.json == ["msg": "Successfully logged out"])
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)), 401))
            #expect(isErrorShape(try s.http.request("POST", "/api/auth/logout", headers: s.bearer(token)), 401))
        }
    }
}
