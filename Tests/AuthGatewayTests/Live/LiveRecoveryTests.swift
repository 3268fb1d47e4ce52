import AuthJSON
import Testing

extension LiveTests {
    /// authd going away and coming back while the gateway keeps running.
    @Suite struct Recovery {
        @Test func authdStoppedIs503AndAuthdRestartedIsServedAgain() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            #expect(try s.http.request("GET", "/healthz").status == 200)

            s.authd.stop()
            for r in [try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)),
                      try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"]),
                      try s.http.request("GET", "/healthz")]
            {
                #expect(isErrorShape(r, 503), "\(r)")
                #expect(r.json["error"]?["retry_after"] == 1)
                #expect(r.header("Retry-After") == "1")
            }

            try await s.authd.start()
            // The very first requests succeed: the gateway reconnects on its own.
            let first = try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token))
            #expect(first.status == 200, "\(first)")
            #expect(try s.http.request("GET", "/healthz").status == 200)
            #expect(try s.login("alice").isEmpty == false)
        }

        @Test func manyRequestsAfterARestartAllSucceed() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            // Fill every pooled connection, then restart authd under them.
            for _ in 0..<8 { _ = try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)) }
            s.authd.stop()
            try await s.authd.start()
            for _ in 0..<8 {
                #expect(try s.http.request("GET", "/api/users/\(id)", headers: s.bearer(token)).status == 200)
            }
        }
    }
}
