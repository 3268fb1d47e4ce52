import Hummingbird
import Logging

/// One structured line per request (method, path, the route it matched, status, time, the
/// client's address) and the request's metrics. Never a header, a query or a body, since
/// those are where tokens and passwords travel. In the journal each item is a field:
/// `AUTHD_GATEWAY_METHOD`, `AUTHD_GATEWAY_ROUTE`, `AUTHD_GATEWAY_STATUS`, and so on.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let logger: Logger
    let clientAddresses: ClientAddressResolver
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        var route: GatewayRoute?
        defer {
            let duration = ContinuousClock.now - start
            let pattern = route?.openAPIPath
            // Only a route's own method is a bounded label; any other is whatever a client sent.
            let method = route == nil ? "other" : request.method.rawValue
            metrics.recordRequest(route: pattern ?? "unmatched", method: method, status: status, duration: duration)
            // Built only when the level lets the line through (swift-log takes it as an autoclosure).
            logger.info("request", metadata: accessLogItems(request, context, pattern: pattern, status: status, duration: duration))
        }
        let response = try await next(request, context)
        status = Int(response.status.code)
        route = GatewayRoute.matching(request.uri.path, request.method)
        return response
    }

    private func accessLogItems(_ request: Request, _ context: Context, pattern: String?, status: Int, duration: Duration) -> Logger.Metadata {
        let elapsed = duration.components
        let micros = elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
        let client = clientAddresses.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
        return [
            "method": .string(request.method.rawValue),
            // Capped: an unknown path is whatever a client chose to send.
            "path": .string(String(request.uri.path.prefix(200))),
            "route": .string(pattern ?? "-"),
            "status": .stringConvertible(status),
            "duration_us": .stringConvertible(micros),
            "client": .string(client?.description ?? "-"),
        ]
    }
}
