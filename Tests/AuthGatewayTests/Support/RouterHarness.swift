import AuthGateway
import AuthJSON
import AuthTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging

/// A logger that drops everything, so router tests print nothing.
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A response from the in-process router, with its body parsed.
struct RouterReply: Sendable {
    var status: Int
    var headers: HTTPFields
    var body: String
    var json: JSON { (try? JSONParser.parse(body)) ?? .null }

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
}

/// Drives the gateway's router in process (HummingbirdTesting's `.router`), in front of an
/// authd — real, or a fake for the error-mapping tests — at `socket`.
struct RouterClient: Sendable {
    let client: any TestClientProtocol

    func send(_ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: JSON? = nil,
              headers: [String: String] = [:], body: String? = nil) async throws -> RouterReply
    {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        var bytes = body.map { ByteBuffer(string: $0) }
        if let json {
            fields[.contentType] = "application/json"
            bytes = ByteBuffer(bytes: json.serialized())
        }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await client.execute(uri: uri, method: method, headers: fields, body: bytes)
        return RouterReply(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
    }

    /// Registers `name` (password `Passw0rd!`), logs in, and returns the id and token.
    func account(_ name: String) async throws -> (id: Int64, token: String) {
        let user = try await send(.post, "/api/auth/register",
                                  json: ["username": .string(name), "email": .string("\(name)@example.com"), "password": "Passw0rd!"])
        let login = try await send(.post, "/api/auth/login", json: ["username": .string(name), "password": "Passw0rd!"])
        guard let id = user.json["id"]?.int64, let token = login.json["access_token"]?.string else {
            throw TestSetupError(description: "cannot set up \(name): \(user.body) \(login.body)")
        }
        return (id, token)
    }
}

/// Runs `test` against the router of a gateway configured for `socket`.
func withRouter(socket: String, configure: (inout GatewayConfiguration) -> Void = { _ in }, logger: Logger = quietLogger,
                _ test: @escaping @Sendable (RouterClient) async throws -> Void) async throws
{
    var configuration = GatewayConfiguration(socketPath: socket)
    configure(&configuration)
    let gateway = Gateway(configuration: configuration, logger: logger)
    defer { gateway.authd.close() }
    let app = Application(router: gateway.makeRouter(), logger: quietLogger)
    try await app.test(.router) { client in try await test(RouterClient(client: client)) }
}

/// The contract's error shape, checked exactly: status, `error.code` equal to it, a message.
func isErrorShape(_ reply: RouterReply, _ status: Int) -> Bool {
    reply.status == status && reply.json["error"]?["code"]?.int64 == Int64(status)
        && reply.json["error"]?["message"]?.string?.isEmpty == false
        && reply.header("Content-Type") == "application/json"
}
