import AuthInterface
import AuthJSON
import Hummingbird

extension Gateway {
    /// `POST /api/auth/register`: 201 and the new User.
    func register(_ request: Request) async throws(GatewayError) -> Response {
        let body = try await request.jsonObject(limit: configuration.maxBodyBytes)
        let user = try await call(.register, Self.clientParams(body, for: .register))
        var headers = HTTPFields()
        if let id = user["id"]?.int64 { headers[.location] = "/api/users/\(id)" }
        return Response.json(user, status: .created, headers: headers)
    }

    /// `POST /api/auth/login`: 200 and auth.login's result, `access_token` first among them.
    /// The client's address goes along for authd's rate limiting.
    func login(_ request: Request, _ context: GatewayRequestContext) async throws(GatewayError) -> Response {
        let body = try await request.jsonObject(limit: configuration.maxBodyBytes)
        var params = Self.clientParams(body, for: .login)
        if let client = clientAddresses.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor]) {
            params["client"] = .string(client.description)
        }
        return Response.json(try await call(.login, params))
    }

    /// `POST /api/auth/logout`: revokes the bearer token. It reads no body, so a bare POST
    /// without a content type is fine.
    func logout(_ request: Request) async throws(GatewayError) -> Response {
        let token = try request.requireToken()
        _ = try await call(.logout, ["token": .string(token)])
        return Response.json(["msg": "Successfully logged out"])
    }
}
