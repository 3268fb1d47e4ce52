import AuthInterface
import Hummingbird

/// Every route the gateway serves, declared once: the router registers these, one generic
/// handler reads from each route's entry where a call's params come from, and the OpenAPI
/// document describes them. A new route is a case and its entry in `entry`, plus a body
/// shaper (`GatewayRoute+Responses.swift`) only when its body is not the call's result.
public enum GatewayRoute: CaseIterable, Sendable {
    case register, login, logout, refresh, listSessions, revokeSession, passwordReset
    case mfa, enrollTOTP, removeTOTP, confirmTOTP, regenerateRecoveryCodes
    case listUsers, getUser, updateUser, deleteUser
    case health, openAPI, metrics
    /// Forward authentication for reverse proxies (contract §11), answered by `forwardAuth`.
    case authRequest, forwardAuth

    /// What a route is: its method and path (`:id` captures a segment, which becomes the
    /// call's `id`), the authd method it calls (nil for the OpenAPI document, which authd
    /// has no part in, and for `/metrics`, served with or without authd), its success
    /// status, whether it needs `Authorization: Bearer`, whether it reads a JSON object
    /// from the body, and the params it reads from the query.
    struct Entry: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var rpcMethod: RPCMethod?
        var status: HTTPResponse.Status = .ok
        var token = false
        var body = false
        /// Reads a JSON object from the body only when one is sent (`DELETE` with `current_password`).
        var optionalBody = false
        var query: [String] = []
    }

    private var entry: Entry {
        switch self {
        case .register: Entry(method: .post, path: "/api/auth/register", rpcMethod: .register, status: .created, body: true)
        case .login: Entry(method: .post, path: "/api/auth/login", rpcMethod: .login, body: true)
        case .logout: Entry(method: .post, path: "/api/auth/logout", rpcMethod: .logout, token: true, query: [ParamSpec.scope.name])
        case .refresh: Entry(method: .post, path: "/api/auth/refresh", rpcMethod: .refresh, body: true)
        case .listSessions: Entry(method: .get, path: "/api/auth/sessions", rpcMethod: .sessionsList, token: true)
        case .revokeSession: Entry(method: .delete, path: "/api/auth/sessions/:session_id", rpcMethod: .sessionsRevoke, token: true)
        case .passwordReset: Entry(method: .post, path: "/api/auth/password-reset", rpcMethod: .resetPassword, body: true)
        case .mfa: Entry(method: .post, path: "/api/auth/mfa", rpcMethod: .mfa, body: true)
        case .enrollTOTP: Entry(method: .post, path: "/api/auth/mfa/totp", rpcMethod: .totpEnroll, token: true, body: true)
        case .removeTOTP: Entry(method: .delete, path: "/api/auth/mfa/totp", rpcMethod: .totpRemove, token: true, body: true)
        case .confirmTOTP: Entry(method: .post, path: "/api/auth/mfa/totp/confirm", rpcMethod: .totpConfirm, token: true, body: true)
        case .regenerateRecoveryCodes:
            Entry(method: .post, path: "/api/auth/mfa/recovery-codes", rpcMethod: .recoveryRegenerate, token: true, body: true)
        case .listUsers: Entry(method: .get, path: "/api/users/", rpcMethod: .usersList, token: true, query: [ParamSpec.limit.name, ParamSpec.afterID.name])
        case .getUser: Entry(method: .get, path: "/api/users/:id", rpcMethod: .usersGet, token: true)
        case .updateUser: Entry(method: .patch, path: "/api/users/:id", rpcMethod: .usersUpdate, token: true, body: true)
        case .deleteUser: Entry(method: .delete, path: "/api/users/:id", rpcMethod: .usersDelete, token: true, optionalBody: true)
        case .health: Entry(method: .get, path: "/healthz", rpcMethod: .health)
        case .openAPI: Entry(method: .get, path: "/openapi.json")
        case .metrics: Entry(method: .get, path: "/metrics")
        case .authRequest: Entry(method: .get, path: "/api/authz/auth-request")
        case .forwardAuth: Entry(method: .get, path: "/api/authz/forward-auth")
        }
    }

    /// The path in the router's syntax (`:id` captures a segment).
    public var path: String { row.entry.path }
    /// The path in OpenAPI's syntax (`{id}`).
    public var openAPIPath: String { row.openAPIPath }
    public var method: HTTPRequest.Method { row.entry.method }
    /// The authd method the route calls and answers with.
    public var rpcMethod: RPCMethod? { row.entry.rpcMethod }
    public var successStatus: HTTPResponse.Status { row.entry.status }
    /// Whether the route needs `Authorization: Bearer`.
    public var needsToken: Bool { row.entry.token }
    /// Whether the route reads a JSON object from the request body.
    public var takesJSONBody: Bool { row.entry.body }
    /// Whether the route reads a JSON object from the body when the request sends one.
    public var takesOptionalJSONBody: Bool { row.entry.optionalBody }
    /// The call's params that the route reads from the query string.
    public var queryParams: [String] { row.entry.query }
    /// Whether the path's `:id` segment is the call's `id` param.
    public var takesID: Bool { row.takesID }
    /// Whether the path's `:session_id` segment is the call's `session_id` param.
    public var takesSessionID: Bool { row.entry.path.hasSuffix("/:\(ParamSpec.sessionID.name)") }
    /// Whether the route's method declares `client` and `label`, which the gateway vouches
    /// for (the resolved address, the `User-Agent`).
    var vouchesFor: (client: Bool, label: Bool) { row.vouchesFor }

    /// The methods served on a request path, empty when no route has that path. Segments
    /// are compared as the router does: `:id` matches any one, and empty ones are ignored.
    /// Only for requests the router matched to no route (a 405's `Allow`, an OPTIONS): the
    /// router alone decides which route a request reaches.
    static func methods(servedAt requestPath: String) -> [HTTPRequest.Method] {
        let segments = requestPath.split(separator: "/")
        return table.filter { Self.matches($0.segments, segments) }.map(\.entry.method)
    }

    private static func matches(_ pattern: [String], _ segments: [Substring]) -> Bool {
        pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }

    private struct Row: Sendable {
        var route: GatewayRoute
        var entry: Entry
        var segments: [String]
        var openAPIPath: String
        var takesID: Bool
        var vouchesFor: (client: Bool, label: Bool)
    }

    private var row: Row { Self.table.first { $0.route == self }! }

    /// Each route's entry with what follows from it (its path split, what its method
    /// declares), in `allCases` order, made once, so that no request builds them again.
    private static let table: [Row] = allCases.map { route in
        let entry = route.entry
        let openAPI = entry.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
        let declared = Set(entry.rpcMethod?.spec.params.map(\.name) ?? [])
        return Row(route: route, entry: entry, segments: entry.path.split(separator: "/").map(String.init), openAPIPath: openAPI,
                   takesID: entry.path.contains(":id"), vouchesFor: (declared.contains("client"), declared.contains("label")))
    }
}
