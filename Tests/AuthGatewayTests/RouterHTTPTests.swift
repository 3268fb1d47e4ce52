import AuthTestSupport
import AuthJSON
import Testing

/// HTTP itself through the in-process router: `HEAD`, `Date`, and what `Allow` names.
@Suite struct RouterHTTPTests {
    @Test func headIsAnsweredOnEveryGETRouteAsGETWithoutTheBody() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (id, token) = try await c.account("alice")
            for path in ["/api/users/\(id)", "/api/users/", "/healthz", "/openapi.json"] {
                let get = try await c.send(.get, path, token: token)
                let head = try await c.send(.head, path, token: token)
                #expect(get.status == 200, "\(path)")
                #expect(head.status == 200, "\(path)")
                #expect(head.body.isEmpty, "\(path)")
                #expect(head.header("Content-Type") == "application/json", "\(path)")
                #expect(head.header("Content-Length") == String(get.body.utf8.count), "\(path)")
            }
            let unauthenticated = try await c.send(.head, "/api/users/\(id)")
            #expect(unauthenticated.status == 401)
            #expect(unauthenticated.header("WWW-Authenticate") == "Bearer")
            #expect(unauthenticated.body.isEmpty)
            for (path, status) in [("/nowhere", 404), ("/api/auth/login", 405)] {
                let r = try await c.send(.head, path)
                #expect(r.status == status, "\(path)")
                #expect(r.body.isEmpty, "\(path)")
            }
        }
    }

    @Test func everyResponseCarriesADate() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            for r in [try await c.send(.get, "/healthz"), try await c.send(.get, "/openapi.json"), try await c.send(.get, "/nowhere"),
                      try await c.send(.options, "/api/auth/login"), try await c.send(.put, "/api/users/1")]
            {
                let date = try #require(r.header("Date"), "\(r.status)")
                // IMF-fixdate, RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT".
                #expect(date.count == 29 && date.hasSuffix(" GMT") && date.dropFirst(3).hasPrefix(", "), "\(date)")
            }
        }
    }

    @Test func allowNamesOptionsWhereCORSPreflightsAreServed() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock", configure: { $0.corsOrigins = ["https://app.example.com"] }) { c async throws in
            #expect(try await c.send(.put, "/api/users/1").header("Allow") == "GET, PATCH, DELETE, OPTIONS")
            #expect(try await c.send(.get, "/api/auth/login").header("Allow") == "POST, OPTIONS")
        }
    }
}
