import AuthCore
import AuthInterface
import AuthJSON
import Hummingbird

extension Gateway {
    /// `GET /api/users/`: a page of users as an array; `Link: <…>; rel="next"` when more follow.
    func listUsers(_ request: Request) async throws(GatewayError) -> Response {
        var params: [String: JSON] = ["token": .string(try request.requireToken())]
        let query = request.uri.queryParameters
        for name in ["limit", "after_id"] {
            // A number goes as a number; anything else as given, for authd's validation
            // to answer with its per-field message.
            if let value = query[name[...]].map(String.init) {
                params[name] = Int64(value).map { .int($0) } ?? .string(value)
            }
        }
        let page = try await call(.usersList, params)
        var headers = HTTPFields()
        if let next = page["next_after_id"]?.int64 {
            let limit = params["limit"].map { "limit=\($0.int64.map(String.init) ?? "")&" } ?? ""
            headers[.link] = "</api/users/?\(limit)after_id=\(next)>; rel=\"next\""
        }
        return Response.json(page["users"] ?? [], headers: headers)
    }

    /// `GET`, `PATCH` and `DELETE /api/users/<id>`.
    func user(_ route: GatewayRoute, _ request: Request, _ context: GatewayRequestContext) async throws(GatewayError) -> Response {
        // Like Flask's `<int:id>`: anything but a decimal id is no route at all.
        guard let raw = context.parameters.get("id"), raw.allSatisfy(\.isASCII), raw.allSatisfy(\.isNumber),
              let id = Int64(raw)
        else { throw GatewayError.notFound }
        let token = try request.requireToken()
        var params: [String: JSON] = ["id": .int(id), "token": .string(token)]
        if route == .updateUser {
            // Read before the permission check, so a malformed body is a 400/415 either way.
            params.merge(Self.clientParams(try await request.jsonObject(limit: configuration.maxBodyBytes), for: .usersUpdate)) { old, _ in old }
        }
        try await checkOwnAccount(token: token, id: id)
        switch route {
        case .deleteUser:
            _ = try await call(.usersDelete, params)
            return Response.json(["message": "User deleted"])
        case .updateUser:
            return Response.json(try await call(.usersUpdate, params))
        default:
            return Response.json(try await call(.usersGet, params))
        }
    }

    /// Fails unless the token names user `id`, answering as authd answers an unprivileged
    /// peer: 401 for a bad token, then 403 for another user's id (existence is never
    /// revealed). The gateway cannot leave this to authd: if it runs as root or in the admin
    /// group, authd would let any valid token act on any user through it.
    func checkOwnAccount(token: String, id: Int64) async throws(GatewayError) {
        // Forwarded as is when the token claims this very user: authd then checks the token,
        // and a privileged gateway and an unprivileged one get the same answer.
        if BearerToken.subject(of: token) == id { return }
        let verification = try await call(.verify, ["token": .string(token)])
        guard verification["active"] == .bool(true) else { throw GatewayError(RPCError(AuthError.unauthenticated)) }
        throw GatewayError(RPCError(AuthError.forbidden))
    }
}
