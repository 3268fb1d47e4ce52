import AuthClient
import AuthInterface
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

        @Test func aPrivilegedGatewayStillReachesOnlyTheTokensUser() async throws {
            // The gateway (nobody) is in authd's admin group as well as its gateway group:
            // authd still lets a token act only on its own user (contract section 5).
            let s = try await LiveStack(authdArguments: ["--admin-group", "nogroup"])
            let alice = try s.register("alice")
            let bob = try s.register("bob")
            let token = try s.login("alice")
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(bob)", headers: s.bearer(token)), 403))
            #expect(isErrorShape(try s.http.json("PATCH", "/api/users/\(bob)", ["email": "bob@evil.example"], headers: s.bearer(token)), 403))
            #expect(isErrorShape(try s.http.request("DELETE", "/api/users/\(bob)", headers: s.bearer(token)), 403))
            #expect(isErrorShape(try s.http.request("GET", "/api/users/987654", headers: s.bearer(token)), 403))
            #expect(try s.http.request("GET", "/api/users/\(alice)", headers: s.bearer(token)).json["id"]?.int64 == alice)
            let bobToken = try s.login("bob")
            #expect(try s.http.request("GET", "/api/users/\(bob)", headers: s.bearer(bobToken)).json["email"] == "bob@example.com")
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

        /// A user's own password change through the gateway needs current_password (contract
        /// §8), keeps the session that made it and ends the others.
        @Test func patchChangesTheUserAndANewPasswordNeedsTheCurrentOneAndRevokesTheOtherTokens() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            let other = try s.login("alice")
            let email = try s.http.json("PATCH", "/api/users/\(id)", ["email": "alice@new.example"], headers: s.bearer(token))
            #expect(email.status == 200)
            #expect(email.json["email"] == "alice@new.example")
            let invalid = try s.http.json("PATCH", "/api/users/\(id)", ["password": "weak"], headers: s.bearer(token))
            #expect(isErrorShape(invalid, 400))
            #expect(invalid.json["error"]?["messages"]?["password"]?.array?.isEmpty == false)
            let missing = try s.http.json("PATCH", "/api/users/\(id)", ["password": "N3w-Passw0rd"], headers: s.bearer(token))
            #expect(isErrorShape(missing, 400))
            #expect(missing.json["error"]?["messages"] == ["current_password": ["Missing data for required field."]])
            // A wrong one is a failed login of the end client (the gateway's address for it), not of the gateway's uid.
            let wrong = try s.http.json("PATCH", "/api/users/\(id)", ["password": "N3w-Passw0rd", "current_password": "Wr0ng-Pass!"],
                                        headers: s.bearer(token))
            #expect(wrong.json["error"]?["messages"] == ["current_password": ["Wrong password."]])
            #expect(s.authd.log.contains("login failed for 'alice' from 127.0.0.1"), "\(s.authd.log)")
            let password = try s.http.json("PATCH", "/api/users/\(id)", ["password": "N3w-Passw0rd", "current_password": "Passw0rd!"],
                                           headers: s.bearer(token))
            #expect(password.status == 200)
            #expect(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)).status == 200)
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(other)), 401))
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

        /// `DELETE` forwards `current_password` from a JSON body, needed once the token is not fresh.
        @Test func deleteWithAStaleTokenNeedsTheCurrentPasswordInAJSONBody() async throws {
            let s = try await LiveStack(authdArguments: ["--fresh-window", "0"])
            let id = try s.register("alice")
            let token = try s.login("alice")
            let bare = try s.http.request("DELETE", "/api/users/\(id)", headers: s.bearer(token))
            #expect(isErrorShape(bare, 400))
            #expect(bare.json["error"]?["messages"] == ["current_password": ["Missing data for required field."]])
            let wrong = try s.http.json("DELETE", "/api/users/\(id)", ["current_password": "Wr0ng-Pass!"], headers: s.bearer(token))
            #expect(isErrorShape(wrong, 400))
            let r = try s.http.json("DELETE", "/api/users/\(id)", ["current_password": "Passw0rd!"], headers: s.bearer(token))
            #expect(r.status == 200)
            #expect(r.json == ["message": "User deleted"])
        }

        /// `POST /api/auth/password-reset` spends a token an administrator issued.
        @Test func aPasswordResetSetsThePasswordOnceAndEndsTheSessions() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            let admin = try AuthClient(path: s.authd.socketPath)
            let reset = try admin.call(.usersResetToken, ["id": .int(id)]).get()["reset_token"]!
            let weak = try s.http.json("POST", "/api/auth/password-reset", ["reset_token": reset, "password": "weak"])
            #expect(isErrorShape(weak, 400))
            #expect(weak.json["error"]?["messages"]?["password"] != nil)
            let done = try s.http.json("POST", "/api/auth/password-reset", ["reset_token": reset, "password": "N3w-Passw0rd"])
            #expect(done.status == 200)
            #expect(done.json["id"]?.int64 == id)
            #expect(isErrorShape(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)), 401))
            #expect(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(try s.login("alice", password: "N3w-Passw0rd"))).status == 200)
            let again = try s.http.json("POST", "/api/auth/password-reset", ["reset_token": reset, "password": "Other-Passw0rd"])
            #expect(isErrorShape(again, 400))
            #expect(again.json["error"]?["messages"] == ["reset_token": ["Invalid or expired reset token."]])
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
