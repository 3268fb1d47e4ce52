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
        var route: String?
        defer {
            let duration = ContinuousClock.now - start
            let elapsed = duration.components
            let micros = elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
            let client = clientAddresses.resolve(peer: context.peer, forwardedFor: request.headers[values: .xForwardedFor])
            // Only a route's own method is a bounded label; any other is whatever a client sent.
            let method = route == nil ? "other" : request.method.rawValue
            metrics.recordRequest(route: route ?? "unmatched", method: method, status: status, duration: duration)
            logger.info("request", metadata: [
                "method": .string(request.method.rawValue),
                // Capped: an unknown path is whatever a client chose to send.
                "path": .string(String(request.uri.path.prefix(200))),
                "route": .string(route ?? "-"),
                "status": .stringConvertible(status),
                "duration_us": .stringConvertible(micros),
                "client": .string(client?.description ?? "-"),
            ])
        }
        let response = try await next(request, context)
        status = Int(response.status.code)
        route = GatewayRoute.matching(request.uri.path, request.method)?.openAPIPath
        return response
    }
}
