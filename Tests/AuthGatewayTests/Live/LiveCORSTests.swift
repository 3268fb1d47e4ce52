import AuthJSON
import Testing

extension LiveTests {
    /// Browsers on the `--cors-origin` origins may call; others are refused at preflight.
    @Suite struct CORS {
        func preflight(_ s: LiveStack, origin: String) throws -> HTTPReply {
            try s.http.request("OPTIONS", "/api/auth/login", headers: [
                "Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type",
            ])
        }

        @Test func preflightFromAnAllowedOriginSucceedsAndFromAnotherIsRefused() async throws {
            let s = try await LiveStack(gatewayArguments: ["--cors-origin", "https://app.example.com", "--cors-origin", "http://localhost:3000"])
            let allowed = try preflight(s, origin: "http://localhost:3000")
            #expect(allowed.status == 204)
            #expect(allowed.header("Access-Control-Allow-Origin") == "http://localhost:3000")
            #expect(allowed.header("Access-Control-Allow-Methods") == "POST")
            #expect(allowed.header("Access-Control-Allow-Headers")?.contains("Content-Type") == true)
            let refused = try preflight(s, origin: "https://evil.example.net")
            #expect(isErrorShape(refused, 403))
            #expect(refused.header("Access-Control-Allow-Origin") == nil)

            _ = try s.register("alice")
            let login = try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"],
                                        headers: ["Origin": "https://app.example.com"])
            #expect(login.status == 200)
            #expect(login.header("Access-Control-Allow-Origin") == "https://app.example.com")
        }

        @Test func withoutCORSOriginsEveryPreflightIsRefused() async throws {
            let s = try await LiveStack()
            let refused = try preflight(s, origin: "http://localhost:3000")
            #expect(isErrorShape(refused, 403))
            #expect(refused.header("Access-Control-Allow-Origin") == nil)
        }
    }
}
