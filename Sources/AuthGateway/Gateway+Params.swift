import AuthInterface
import AuthJSON
import Hummingbird

extension Gateway {
    /// A call's params, gathered where the route's table entry says: the id from the path,
    /// the token from `Authorization`, the body, the query, and what the gateway vouches
    /// for (the client's address, its `User-Agent`) when the method declares them. Checked
    /// in this order, so a bad id is a 404 and a missing token a 401 before a body is read,
    /// and a malformed body a 400 or 415 before authd is asked.
    func params(_ route: GatewayRoute, _ method: RPCMethod, _ request: Request, _ context: GatewayRequestContext)
        async throws(GatewayError) -> [String: JSON]
    {
        var params: [String: JSON] = [:]
        if route.takesID { params["id"] = .int(try Self.id(context)) }
        if route.takesSessionID, let sid = context.parameters.get(ParamSpec.sessionID.name) {
            params[ParamSpec.sessionID.name] = .string(sid)
        }
        if route.needsToken { params["token"] = .string(try request.requireToken()) }
        if route.takesJSONBody || (route.takesOptionalJSONBody && request.sendsBody) {
            params.merge(Self.clientParams(try await request.jsonObject(limit: configuration.maxBodyBytes), for: method)) { old, _ in old }
        }
        if !route.queryParams.isEmpty {
            let query = request.uri.queryParameters
            for name in route.queryParams {
                // A number goes as a number; anything else as given, for authd's validation
                // to answer with its per-field message.
                if let value = query[name[...]].map(String.init) {
                    params[name] = Int64(value).map { .int($0) } ?? .string(value)
                }
            }
        }
        let vouches = route.vouchesFor
        if vouches.client, let client = context.client { params["client"] = .string(client.description) }
        if vouches.label, let agent = request.headers[.userAgent] { params["label"] = .string(String(agent.prefix(200))) }
        return params
    }

    /// The path's id. Like Flask's `<int:id>`: anything but a decimal id is no route at all.
    static func id(_ context: GatewayRequestContext) throws(GatewayError) -> Int64 {
        guard let raw = context.parameters.get("id"), raw.allSatisfy(\.isASCII), raw.allSatisfy(\.isNumber),
              let id = Int64(raw)
        else { throw GatewayError.notFound }
        return id
    }
}
