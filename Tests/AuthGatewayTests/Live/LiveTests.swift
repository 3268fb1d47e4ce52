import AuthJSON
import AuthTestSupport
import Testing

/// The parent of every live suite: the real `authd` and `authd-gateway` binaries, driven
/// over HTTP with blocking sockets. Serialized, because on two cores parallel blocking tests
/// would starve the cooperative threads everything else runs on.
@Suite(.serialized) enum LiveTests {}

/// authd and the gateway in front of it, both real processes.
struct LiveStack {
    let authd: TestAuthd
    let gateway: TestGateway
    var http: HTTPTestClient { gateway.client }

    init(gatewayArguments: [String] = [], authdArguments: [String] = []) async throws {
        authd = try await TestAuthd.forGateway(group: "nogroup", arguments: authdArguments)
        gateway = try await TestGateway(socket: authd.socketPath, arguments: gatewayArguments)
    }

    /// Registers `name` with `password` and returns the id.
    func register(_ name: String, password: String = "Passw0rd!") throws -> Int64 {
        let r = try http.json("POST", "/api/auth/register",
                              ["username": .string(name), "email": .string("\(name)@example.com"), "password": .string(password)])
        guard r.status == 201, let id = r.json["id"]?.int64 else { throw TestSetupError(description: "register \(name): \(r)") }
        return id
    }

    func login(_ name: String, password: String = "Passw0rd!") throws -> String {
        let r = try http.json("POST", "/api/auth/login", ["username": .string(name), "password": .string(password)])
        guard r.status == 200, let token = r.json["access_token"]?.string else { throw TestSetupError(description: "login \(name): \(r)") }
        return token
    }

    func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }
}

/// The contract's error shape on the wire.
func isErrorShape(_ reply: HTTPReply, _ status: Int) -> Bool {
    reply.status == status && reply.json["error"]?["code"]?.int64 == Int64(status)
        && reply.json["error"]?["message"]?.string?.isEmpty == false
        && reply.header("Content-Type") == "application/json" && reply.header("X-Content-Type-Options") == "nosniff"
}
