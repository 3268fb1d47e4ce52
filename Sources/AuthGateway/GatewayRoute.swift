import AuthInterface
import Hummingbird

/// Every route the gateway serves, declared once: the router registers these, the 405
/// check matches against them, and the OpenAPI document describes them.
public enum GatewayRoute: CaseIterable, Sendable {
    case register, login, logout
    case listUsers, getUser, updateUser, deleteUser
    case health, openAPI, metrics

    /// The path in the router's syntax (`:id` captures a segment).
    public var path: String {
        switch self {
        case .register: "/api/auth/register"
        case .login: "/api/auth/login"
        case .logout: "/api/auth/logout"
        case .listUsers: "/api/users/"
        case .getUser, .updateUser, .deleteUser: "/api/users/:id"
        case .health: "/healthz"
        case .openAPI: "/openapi.json"
        case .metrics: "/metrics"
        }
    }

    /// The path in OpenAPI's syntax (`{id}`).
    public var openAPIPath: String {
        Self.table.first { $0.route == self }!.openAPIPath
    }

    public var method: HTTPRequest.Method {
        switch self {
        case .register, .login, .logout: .post
        case .listUsers, .getUser, .health, .openAPI, .metrics: .get
        case .updateUser: .patch
        case .deleteUser: .delete
        }
    }

    /// The authd method the route calls and answers with; nil for the OpenAPI document, which
    /// authd has no part in, and for `/metrics`, which is served with or without authd.
    public var rpcMethod: RPCMethod? {
        switch self {
        case .register: .register
        case .login: .login
        case .logout: .logout
        case .listUsers: .usersList
        case .getUser: .usersGet
        case .updateUser: .usersUpdate
        case .deleteUser: .usersDelete
        case .health: .health
        case .openAPI, .metrics: nil
        }
    }

    public var successStatus: HTTPResponse.Status {
        self == .register ? .created : .ok
    }

    /// Whether the route needs `Authorization: Bearer`.
    public var needsToken: Bool {
        switch self {
        case .logout, .listUsers, .getUser, .updateUser, .deleteUser: true
        case .register, .login, .health, .openAPI, .metrics: false
        }
    }

    /// Whether the route reads a JSON object from the request body.
    public var takesJSONBody: Bool {
        [.register, .login, .updateUser].contains(self)
    }

    /// The methods served on a request path, empty when no route has that path. Segments
    /// are compared as the router does: `:id` matches any one, and empty ones are ignored.
    static func methods(servedAt requestPath: String) -> [HTTPRequest.Method] {
        let segments = requestPath.split(separator: "/")
        return table.filter { Self.matches($0.segments, segments) }.map(\.route.method)
    }

    /// The route a request reaches, nil when none serves its path and method.
    static func matching(_ requestPath: String, _ method: HTTPRequest.Method) -> GatewayRoute? {
        let segments = requestPath.split(separator: "/")
        return table.first { $0.route.method == method && Self.matches($0.segments, segments) }?.route
    }

    private static func matches(_ pattern: [String], _ segments: [Substring]) -> Bool {
        pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
    }

    /// Each route with its path split once, in `allCases` order, not on every request's access log line.
    private static let table: [(route: GatewayRoute, segments: [String], openAPIPath: String)] = allCases.map { route in
        let openAPI = route.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
        return (route, route.path.split(separator: "/").map(String.init), openAPI)
    }
}