import AuthJSON
import AuthTestSupport
import Testing

/// Every error the gateway raises itself, and authd's errors as they come through, each in
/// the contract's shape: `{"error": {"message", "code", ...}}` with the status as code.
@Suite struct RouterErrorTests {
    @Test func malformedJSONIs400() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            let r = try await c.send(.post, "/api/auth/register", headers: ["Content-Type": "application/json"], body: "{\"username\": ")
            #expect(isErrorShape(r, 400))
            #expect(r.json["error"]?["message"]?.string?.hasPrefix("Malformed JSON") == true)
        }
    }

    @Test func jsonThatIsNotAnObjectIs400() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            #expect(isErrorShape(try await c.send(.post, "/api/auth/login", json: ["alice", "Passw0rd!"]), 400))
        }
    }

    @Test func wrongOrMissingContentTypeIs415() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            let form = try await c.send(.post, "/api/auth/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                        body: "username=alice&password=x")
            #expect(isErrorShape(form, 415))
            #expect(isErrorShape(try await c.send(.post, "/api/auth/register", body: "{}"), 415))
            #expect(isErrorShape(try await c.send(.patch, "/api/users/1", token: "t", headers: ["Content-Type": "text/plain"], body: "{}"), 415))
        }
    }

    @Test func jsonWithACharsetIsAccepted() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let r = try await c.send(.post, "/api/auth/register", headers: ["Content-Type": "application/json; charset=utf-8"],
                                     body: #"{"username": "alice", "email": "alice@example.com", "password": "Passw0rd!"}"#)
            #expect(r.status == 201)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock", configure: { $0.maxBodyBytes = 1000 }) { c async throws in
            let big = #"{"username": "\#(String(repeating: "a", count: 2000))"}"#
            let r = try await c.send(.post, "/api/auth/register", headers: ["Content-Type": "application/json"], body: big)
            #expect(isErrorShape(r, 413))
        }
    }

    @Test func unknownRouteIs404() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            #expect(isErrorShape(try await c.send(.get, "/"), 404))
            #expect(isErrorShape(try await c.send(.get, "/api/nothing"), 404))
            #expect(isErrorShape(try await c.send(.post, "/api/users/1/extra"), 404))
        }
    }

    @Test func idThatIsNotANumberIs404() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            for path in ["/api/users/abc", "/api/users/-1", "/api/users/1.5", "/api/users/99999999999999999999"] {
                #expect(isErrorShape(try await c.send(.get, path, token: "t"), 404), "\(path)")
            }
        }
    }

    @Test func knownRouteWithAnotherMethodIs405WithAllow() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            let put = try await c.send(.put, "/api/users/1")
            #expect(isErrorShape(put, 405))
            #expect(put.header("Allow") == "GET, PATCH, DELETE")
            let get = try await c.send(.get, "/api/auth/login")
            #expect(isErrorShape(get, 405))
            #expect(get.header("Allow") == "POST")
            #expect(try await c.send(.delete, "/api/users/").header("Allow") == "GET")
        }
    }

    @Test func missingOrMalformedAuthorizationIs401() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            for headers in [[:], ["Authorization": "Basic YWxpY2U6eA=="], ["Authorization": "Bearer"], ["Authorization": "Bearer a b"]] {
                for (method, path) in [("GET", "/api/users/1"), ("GET", "/api/users/"), ("DELETE", "/api/users/1"), ("POST", "/api/auth/logout")] {
                    let r = try await c.send(.init(method)!, path, headers: headers)
                    #expect(isErrorShape(r, 401), "\(method) \(path) \(headers)")
                    #expect(r.header("WWW-Authenticate") == "Bearer")
                }
            }
        }
    }

    @Test func invalidTokenIs401() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (id, token) = try await c.account("alice")
            let tampered = String(token.dropLast(2)) + (token.hasSuffix("AA") ? "BB" : "AA")
            for bad in ["garbage", tampered] {
                #expect(isErrorShape(try await c.send(.get, "/api/users/\(id)", token: bad), 401))
                #expect(isErrorShape(try await c.send(.get, "/api/users/\(id + 1)", token: bad), 401))
                #expect(isErrorShape(try await c.send(.get, "/api/users/", token: bad), 401))
                #expect(isErrorShape(try await c.send(.post, "/api/auth/logout", token: bad), 401))
            }
        }
    }

    @Test func anotherUsersIdAndAMissingIdAre403() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let (_, token) = try await c.account("alice")
            let (bob, _) = try await c.account("bob")
            for id in [bob, 424242] {
                #expect(isErrorShape(try await c.send(.get, "/api/users/\(id)", token: token), 403))
                #expect(isErrorShape(try await c.send(.patch, "/api/users/\(id)", token: token, json: ["email": "x@example.com"]), 403))
                #expect(isErrorShape(try await c.send(.delete, "/api/users/\(id)", token: token), 403))
            }
            // Bob is untouched.
            let (_, bobToken) = try await c.account("bob2")
            #expect(try await c.send(.get, "/api/users/\(bob)", token: bobToken).status == 403)
        }
    }

    @Test func duplicateRegistrationIs409WithTheField() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            _ = try await c.account("alice")
            let sameName = try await c.send(.post, "/api/auth/register", json: ["username": "ALICE", "email": "other@example.com", "password": "Passw0rd!"])
            #expect(isErrorShape(sameName, 409))
            #expect(sameName.json["error"]?["field"] == "username")
            let sameEmail = try await c.send(.post, "/api/auth/register", json: ["username": "other", "email": "alice@example.com", "password": "Passw0rd!"])
            #expect(sameEmail.json["error"]?["field"] == "email")
        }
    }

    @Test func validationFailureIs400WithMessagesPerField() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            let r = try await c.send(.post, "/api/auth/register", json: ["username": "a", "password": "short"])
            #expect(isErrorShape(r, 400))
            let messages = try #require(r.json["error"]?["messages"]?.object)
            #expect(messages.keys.sorted() == ["email", "password", "username"])
            #expect(messages["email"] == ["Missing data for required field."])
            #expect(r.json["error"]?["fields"] == nil)
        }
    }

    @Test func wrongPasswordIs401() async throws {
        let authd = try await TestAuthd.forGateway()
        try await withRouter(socket: authd.socketPath) { c async throws in
            _ = try await c.account("alice")
            #expect(isErrorShape(try await c.send(.post, "/api/auth/login", json: ["username": "alice", "password": "Wrong0ne!"]), 401))
            #expect(isErrorShape(try await c.send(.post, "/api/auth/login", json: ["username": "nobody", "password": "Wrong0ne!"]), 401))
        }
    }

    @Test func authdUnreachableIs503AndSoIsHealthz() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            for r in [try await c.send(.get, "/healthz"),
                      try await c.send(.get, "/api/users/", token: "t"),
                      try await c.send(.post, "/api/auth/login", json: ["username": "alice", "password": "x"])]
            {
                #expect(isErrorShape(r, 503))
                #expect(r.json["error"]?["retry_after"] == 1)
                #expect(r.header("Retry-After") == "1")
            }
        }
    }
}
