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

    /// Every route of `GatewayRoute`, behind the middleware every response passes through,
    /// with `HEAD` answered on every GET route as Flask and RFC 9110 do.
    public func makeRouter() -> Router<GatewayRequestContext> {
        let router = Router(context: GatewayRequestContext.self, options: .autoGenerateHeadEndpoints)
        // Outermost first: every response, even a preflight or an error, gets the security
        // headers, an access log line and its metrics; errors become the contract's shape innermost, so
        // that CORS headers are added to them too.
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: AccessLogMiddleware(logger: logger, clientAddresses: clientAddresses, metrics: metrics))
        router.add(middleware: CORSPolicyMiddleware(allowedOrigins: configuration.corsOrigins))
        router.add(middleware: ErrorShapeMiddleware(logger: logger, servesPreflights: !configuration.corsOrigins.isEmpty))
        for route in GatewayRoute.allCases {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await respond(route, request, context)
            }
        }
        return router
    }

    /// One path for every route that calls authd: the params its table entry says where to
    /// find, the call, and the success status; only the Flask-shaped bodies differ.
    private func respond(_ route: GatewayRoute, _ request: Request, _ context: GatewayRequestContext) async throws(GatewayError) -> Response {
        guard let method = route.rpcMethod else {
            switch route {
            case .metrics: return try await metricsPage(context)
            case .authRequest, .forwardAuth: return try await forwardAuth(route, request, context)
            default: return Response.json(OpenAPIDocument.json)
            }
        }
        let params = try await self.params(route, method, request, context)
        return route.response(try await call(method, params), params: params)
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
    /// the id from the path, the client address from the connection, the label from `User-Agent`).
    static func clientParams(_ body: [String: JSON], for method: RPCMethod) -> [String: JSON] {
        let names = Set(method.spec.params.map(\.name)).subtracting(gatewayParams)
        return body.filter { names.contains($0.key) }
    }

    static let gatewayParams: Set<String> = Set([ParamSpec.id, .token, .client, .label].map(\.name))
}
