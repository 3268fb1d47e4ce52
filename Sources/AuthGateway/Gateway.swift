import AuthInterface
import AuthJSON
import Hummingbird
import Logging

/// The HTTP gateway: the Flask app's REST routes, each turned into one method call on
/// authd's socket. It holds no user data and no secret.
public struct Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let authd: AuthdPool
    public let metrics: GatewayMetrics
    let clientAddresses: ClientAddressResolver
    let logger: Logger

    public init(configuration: GatewayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        metrics = GatewayMetrics(poolSize: configuration.authdConnections)
        authd = AuthdPool(socketPath: configuration.socketPath, connections: configuration.authdConnections,
                          callTimeout: .seconds(Int64(configuration.callTimeoutSeconds)), metrics: metrics, logger: logger)
        clientAddresses = ClientAddressResolver(trustedProxies: configuration.trustedProxies)
    }

    /// Every route of `GatewayRoute`, behind the middleware every response passes through.
    public func makeRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self)
        // Outermost first: every response, even a preflight or an error, gets the security
        // headers, an access log line and its metrics; errors become the contract's shape innermost, so
        // that CORS headers are added to them too.
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: AccessLogMiddleware(logger: logger, clientAddresses: clientAddresses, metrics: metrics))
        router.add(middleware: CORSPolicyMiddleware(allowedOrigins: configuration.corsOrigins))
        router.add(middleware: ErrorShapeMiddleware(logger: logger))
        for route in GatewayRoute.allCases {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await respond(route, request, context)
            }
        }
        return router
    }

    private func respond(_ route: GatewayRoute, _ request: Request, _ context: GatewayRequestContext) async throws(GatewayError) -> Response {
        switch route {
        case .register: try await register(request)
        case .login: try await login(request, context)
        case .logout: try await logout(request)
        case .listUsers: try await listUsers(request)
        case .getUser, .updateUser, .deleteUser: try await user(route, request, context)
        case .health: Response.json(try await call(.health, [:]))
        case .openAPI: Response.json(OpenAPIDocument.json)
        case .metrics: try await metricsPage(request, context)
        }
    }

    /// The result of a call, or authd's error as an HTTP error.
    func call(_ method: RPCMethod, _ params: [String: JSON]) async throws(GatewayError) -> JSON {
        switch await authd.call(method, params) {
        case .success(let result): return result
        case .failure(let error): throw GatewayError(error)
        }
    }

    /// The members of a request body that `method` takes from a client: those the interface
    /// declares, minus the ones only the gateway may set (the token comes from the header,
    /// the id from the path, the client address from the connection).
    static func clientParams(_ body: [String: JSON], for method: RPCMethod) -> [String: JSON] {
        let names = Set(method.spec.params.map(\.name)).subtracting(["id", "token", "client"])
        return body.filter { names.contains($0.key) }
    }
}
