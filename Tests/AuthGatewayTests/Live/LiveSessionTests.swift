import AuthJSON
import Testing

extension LiveTests {
    /// The session routes of contract §11, end to end through the gateway and authd.
    @Suite struct LiveSessionTests {
        func login(_ s: LiveStack, agent: String) throws -> JSON {
            let r = try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"], headers: ["User-Agent": agent])
            #expect(r.status == 200)
            return r.json
        }

        @Test func refreshRotatesAndTheRetiredTokenRetriedGetsTheSamePair() async throws {
            let s = try await LiveStack()
            try s.register("alice")
            let login = try login(s, agent: "curl/8")
            let r = try s.http.json("POST", "/api/auth/refresh", ["refresh_token": login["refresh_token"]!])
            #expect(r.status == 200)
            #expect(r.json["session_id"] == login["session_id"])
            #expect(r.json["refresh_token"] != login["refresh_token"])
            #expect(r.json["token_type"] == "Bearer")
            let retry = try s.http.json("POST", "/api/auth/refresh", ["refresh_token": login["refresh_token"]!])
            #expect(retry.json["refresh_token"] == r.json["refresh_token"])
            #expect(retry.json["access_token"] == r.json["access_token"])
            #expect(isErrorShape(try s.http.json("POST", "/api/auth/refresh", ["refresh_token": "unknown"]), 401))
            #expect(isErrorShape(try s.http.json("POST", "/api/auth/refresh", [:]), 400))
            #expect(try s.http.request("GET", "/api/users/1", headers: s.bearer(r.json["access_token"]!.string!)).status == 200)
        }

        @Test func sessionsAreListedWithTheUserAgentAndRevokedByID() async throws {
            let s = try await LiveStack()
            try s.register("alice")
            let long = String(repeating: "x", count: 300)
            let first = try login(s, agent: "Firefox/140")
            let second = try login(s, agent: long)
            let list = try s.http.request("GET", "/api/auth/sessions", headers: s.bearer(first["access_token"]!.string!))
            #expect(list.status == 200)
            let sessions = try #require(list.json.array)
            #expect(sessions.map { $0["id"]! } == [second["session_id"]!, first["session_id"]!])
            #expect(sessions.map { $0["current"]! } == [false, true])
            #expect(sessions.map { $0["label"]! } == [.string(String(long.prefix(200))), "Firefox/140"])
            // The client is the address the gateway resolved.
            #expect(sessions[0]["client"] == "127.0.0.1")
            let path = "/api/auth/sessions/\(second["session_id"]!.string!)"
            let revoked = try s.http.request("DELETE", path, headers: s.bearer(first["access_token"]!.string!))
            #expect(revoked.status == 200)
            #expect(revoked.json == ["msg": "Session revoked"])
            #expect(isErrorShape(try s.http.request("GET", "/api/auth/sessions", headers: s.bearer(second["access_token"]!.string!)), 401))
            #expect(isErrorShape(try s.http.request("DELETE", path, headers: s.bearer(first["access_token"]!.string!)), 404))
            #expect(isErrorShape(try s.http.request("GET", "/api/auth/sessions"), 401))
        }

        @Test func logoutTakesAScope() async throws {
            let s = try await LiveStack()
            try s.register("alice")
            let sessions = try (0..<3).map { _ in try login(s, agent: "test") }
            let tokens = sessions.map { $0["access_token"]!.string! }
            let others = try s.http.request("POST", "/api/auth/logout?scope=others", headers: s.bearer(tokens[0]))
            #expect(others.status == 200)
            #expect(others.json == ["msg": "Successfully logged out"])
            #expect(isErrorShape(try s.http.request("GET", "/api/auth/sessions", headers: s.bearer(tokens[1])), 401))
            let left = try s.http.request("GET", "/api/auth/sessions", headers: s.bearer(tokens[0]))
            #expect(left.json.array?.map { $0["id"]! } == [sessions[0]["session_id"]!])
            #expect(isErrorShape(try s.http.request("POST", "/api/auth/logout?scope=nowhere", headers: s.bearer(tokens[0])), 400))
            #expect(try s.http.request("POST", "/api/auth/logout?scope=global", headers: s.bearer(tokens[0])).status == 200)
            #expect(isErrorShape(try s.http.request("GET", "/api/auth/sessions", headers: s.bearer(tokens[0])), 401))
        }
    }
}
