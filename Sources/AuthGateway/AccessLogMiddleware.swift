import Hummingbird
import Logging

/// One structured line per request (method, path, the route Hummingbird matched, status,
/// time, the client's address) and the request's metrics. Never a header, a query or a
/// body, since those are where tokens and passwords travel. In the journal each item is a
/// field: `AUTHD_GATEWAY_METHOD`, `AUTHD_GATEWAY_ROUTE`, `AUTHD_GATEWAY_STATUS`, and so on.
/// It resolves the client's address for everything inside it.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let logger: Logger
    let clientAddresses: ClientAddressResolver
    let metrics: GatewayMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        context.client = clientAddresses.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
        var status = 500
        defer {
            let duration = ContinuousClock.now - start
            // The route's pattern as the router matched it; "NotFound" when it matched none.
            let matched = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 }
            // Only a route's own method is a bounded label; any other is whatever a client sent.
            let method = matched == nil ? "other" : request.method.rawValue
            metrics.recordRequest(route: matched ?? "unmatched", method: method, status: status, duration: duration)
            // Built only when the level lets the line through (swift-log takes it as an autoclosure).
            logger.info("request", metadata: accessLogItems(request, context, pattern: matched, status: status, duration: duration))
        }
        let response = try await next(request, context)
        status = Int(response.status.code)
        return response
    }

    private func accessLogItems(_ request: Request, _ context: Context, pattern: String?, status: Int, duration: Duration) -> Logger.Metadata {
        let elapsed = duration.components
        let micros = elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
        return [
            "method": .string(request.method.rawValue),
            // Capped: an unknown path is whatever a client chose to send.
            "path": .string(String(request.uri.path.prefix(200))),
            "route": .string(pattern ?? "-"),
            "status": .stringConvertible(status),
            "duration_us": .stringConvertible(micros),
            "client": .string(context.client?.description ?? "-"),
        ]
    }
}
