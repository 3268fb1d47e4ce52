import AuthInterface
import AuthJSON
import Foundation
import Testing

/// A token that claims to be user `id` (its signature is never checked by a fake authd).
func fakeToken(sub id: Int64) -> String {
    func encode(_ json: JSON) -> String {
        Data(json.serialized()).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
    return "\(encode(["alg": "HS256", "typ": "JWT"])).\(encode(["sub": .string(String(id))])).c2ln"
}

/// The gateway against a fake authd: every error the interface declares comes out with its
/// status in the contract's shape, and calls reach authd as the interface declares them.
@Suite struct ErrorMappingTests {
    @Test(arguments: RPCErrorCode.allCases)
    func everyRPCErrorBecomesItsStatusInTheContractShape(_ code: RPCErrorCode) async throws {
        let extra: [String: JSON] = switch code {
        case .invalidParams: ["fields": ["email": ["Not a valid email address."]]]
        case .conflict: ["field": "email"]
        case .tooManyAttempts, .unavailable: ["retry_after": 7]
        default: [:]
        }
        let fake = try FakeAuthd { _ in .failure(RPCError(code, "message for \(code.rawValue)", data: extra)) }
        try await withRouter(socket: fake.socketPath) { c async throws in
            let r = try await c.send(.get, "/api/users/5", token: fakeToken(sub: 5))
            #expect(isErrorShape(r, code.status))
            var expected: [String: JSON] = ["message": .string("message for \(code.rawValue)"), "code": .int(code.status)]
            if let fields = extra["fields"] { expected["messages"] = fields }
            if let field = extra["field"] { expected["field"] = field }
            if let after = extra["retry_after"] { expected["retry_after"] = after }
            #expect(r.json == ["error": .object(expected)])
            #expect(r.header("Retry-After") == (extra["retry_after"] == nil ? nil : "7"))
        }
    }

    @Test func tooLargeFromAuthdIs413() async throws {
        let fake = try FakeAuthd { _ in .failure(RPCError.tooLarge(limit: 10)) }
        try await withRouter(socket: fake.socketPath) { c async throws in
            #expect(isErrorShape(try await c.send(.get, "/api/users/5", token: fakeToken(sub: 5)), 413))
        }
    }

    @Test func anErrorStatusThatIsNoErrorIs502() async throws {
        let fake = try FakeAuthd { _ in .failure(RPCError(code: -32000, message: "odd", data: ["status": 200])) }
        try await withRouter(socket: fake.socketPath) { c async throws in
            #expect(isErrorShape(try await c.send(.get, "/healthz"), 502))
        }
    }

    @Test func answersInAnyOrderReachTheirOwnRequests() async throws {
        // Eight calls pipelined on one connection, answered last first.
        let fake = try FakeAuthd(batch: 8) { request in
            let id = request.params["id"]?.int64 ?? 0
            return .success(["id": .int(id), "username": .string("user\(id)"), "email": "e@example.com", "created_at": "2026-01-01T00:00:00Z"])
        }
        try await withRouter(socket: fake.socketPath, configure: { $0.authdConnections = 1 }) { c async throws in
            try await withThrowingTaskGroup(of: (Int64, RouterReply).self) { group in
                for id in Int64(1)...8 {
                    group.addTask { (id, try await c.send(.get, "/api/users/\(id)", token: fakeToken(sub: id))) }
                }
                for try await (id, reply) in group {
                    #expect(reply.status == 200)
                    #expect(reply.json["username"] == .string("user\(id)"))
                }
            }
        }
        #expect(fake.requests.count == 8)
    }

    @Test func aCallAuthdNeverAnswersIs503AfterTheTimeout() async throws {
        let fake = try FakeAuthd { _ in nil }
        try await withRouter(socket: fake.socketPath, configure: { $0.callTimeoutSeconds = 1 }) { c async throws in
            let r = try await c.send(.get, "/healthz")
            #expect(isErrorShape(r, 503))
            #expect(r.json["error"]?["message"] == "authd did not answer in time")
        }
    }

    @Test func bodiesPassOnlyTheParamsTheInterfaceDeclares() async throws {
        let fake = try FakeAuthd { _ in .success(["access_token": "t", "token_type": "Bearer", "expires_in": 3600, "user": [:]]) }
        try await withRouter(socket: fake.socketPath) { c async throws in
            // A client must not set the token, the id or its own address through the body.
            let body: JSON = ["username": "alice", "password": "Passw0rd!", "token": "x", "client": "10.9.8.7", "id": 3, "admin": true]
            #expect(try await c.send(.post, "/api/auth/login", json: body).status == 200)
            #expect(try await c.send(.patch, "/api/users/4", token: fakeToken(sub: 4), json: body).status == 200)
        }
        let requests = fake.requests
        #expect(requests.map(\.method) == [RPCMethod.login.rawValue, RPCMethod.usersUpdate.rawValue])
        #expect(requests[0].params == ["username": "alice", "password": "Passw0rd!"])
        #expect(requests[1].params == ["id": 4, "token": .string(fakeToken(sub: 4)), "username": "alice", "password": "Passw0rd!"])
    }

    @Test func listPassesLimitAndAfterIdAsNumbers() async throws {
        let fake = try FakeAuthd { _ in .success(["users": [], "next_after_id": .null]) }
        try await withRouter(socket: fake.socketPath) { c async throws in
            #expect(try await c.send(.get, "/api/users/?limit=5&after_id=7", token: "t").json == [])
            _ = try await c.send(.get, "/api/users/?limit=many", token: "t")
        }
        #expect(fake.requests.map(\.params) == [["token": "t", "limit": 5, "after_id": 7], ["token": "t", "limit": "many"]])
    }

    @Test func anotherUsersIdIsLeftToAuthd() async throws {
        // The gateway never reads a token: the call goes to authd as it is, and authd's
        // answer (here a 403, as authd gives the gateway's group for another user) comes back.
        let fake = try FakeAuthd { _ in .failure(RPCError(.forbidden, "Forbidden")) }
        try await withRouter(socket: fake.socketPath) { c async throws in
            #expect(isErrorShape(try await c.send(.delete, "/api/users/2", token: fakeToken(sub: 1)), 403))
        }
        #expect(fake.requests.map(\.method) == [RPCMethod.usersDelete.rawValue])
        #expect(fake.requests.first?.params == ["id": 2, "token": .string(fakeToken(sub: 1))])
    }
}
