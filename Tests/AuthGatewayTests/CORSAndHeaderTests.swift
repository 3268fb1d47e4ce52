import AuthJSON
import AuthTestSupport
import Testing

/// CORS for `--cors-origin` origins only, and the security headers on every response.
@Suite struct CORSAndHeaderTests {
    let app = "https://app.example.com"

    func preflight(_ origin: String, _ method: String = "PATCH", path: String = "/api/users/1") -> (String, [String: String]) {
        (path, ["Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization, content-type"])
    }

    @Test func preflightFromAnAllowedOriginIs204WithTheRoutesMethods() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock", configure: { $0.corsOrigins = [app] }) { c async throws in
            let (path, headers) = preflight(app)
            let r = try await c.send(.options, path, headers: headers)
            #expect(r.status == 204)
            #expect(r.header("Access-Control-Allow-Origin") == app)
            #expect(r.header("Access-Control-Allow-Methods") == "GET, PATCH, DELETE")
            #expect(r.header("Access-Control-Allow-Headers") == "Authorization, Content-Type")
            #expect(r.header("Access-Control-Max-Age") == "600")
            #expect(r.header("Vary") == "Origin")
        }
    }

    @Test func preflightFromAnotherOriginIs403WithoutCORSHeaders() async throws {
        for origins in [[app], []] {
            try await withRouter(socket: "/nonexistent/authd.sock", configure: { $0.corsOrigins = origins }) { c async throws in
                let (path, headers) = preflight("https://evil.example.net")
                let r = try await c.send(.options, path, headers: headers)
                #expect(isErrorShape(r, 403))
                #expect(r.header("Access-Control-Allow-Origin") == nil)
                #expect(r.header("Access-Control-Allow-Methods") == nil)
            }
        }
    }

    @Test func preflightForAnUnknownRouteIs404() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock", configure: { $0.corsOrigins = [app] }) { c async throws in
            let (path, headers) = preflight(app, path: "/api/elsewhere")
            #expect(isErrorShape(try await c.send(.options, path, headers: headers), 404))
        }
    }

    @Test func optionsWithoutPreflightListsAllow() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            let r = try await c.send(.options, "/api/auth/login")
            #expect(r.status == 204)
            #expect(r.header("Allow") == "POST, OPTIONS")
        }
    }

    @Test func requestsFromAnAllowedOriginMayReadTheAnswerAndItsLink() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock", configure: { $0.corsOrigins = [app, "http://localhost:3000"] }) { c async throws in
            let r = try await c.send(.get, "/healthz", headers: ["Origin": "http://localhost:3000"])
            #expect(r.status == 503)
            #expect(r.header("Access-Control-Allow-Origin") == "http://localhost:3000")
            #expect(r.header("Access-Control-Expose-Headers") == "Link, Location, Retry-After")
            #expect(r.header("Vary") == "Origin")
            let other = try await c.send(.get, "/healthz", headers: ["Origin": "https://evil.example.net"])
            #expect(other.header("Access-Control-Allow-Origin") == nil)
        }
    }

    @Test func everyResponseCarriesTheSecurityHeaders() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath, configure: { $0.corsOrigins = [app] }) { c async throws in
            let (_, token) = try await c.account("alice")
            let (path, headers) = preflight(app)
            let replies = [
                try await c.send(.post, "/api/auth/login", json: ["username": "alice", "password": "Passw0rd!"]),
                try await c.send(.get, "/api/users/", token: token),
                try await c.send(.get, "/healthz"),
                try await c.send(.get, "/openapi.json"),
                try await c.send(.get, "/nowhere"),
                try await c.send(.put, "/api/users/1"),
                try await c.send(.get, "/api/users/1"),
                try await c.send(.options, path, headers: headers),
            ]
            for r in replies {
                #expect(r.header("X-Content-Type-Options") == "nosniff", "\(r.status) \(r.body)")
                #expect(r.header("Cache-Control") == "no-store", "\(r.status) \(r.body)")
                #expect(r.header("X-Frame-Options") == "DENY")
            }
        }
    }
}
