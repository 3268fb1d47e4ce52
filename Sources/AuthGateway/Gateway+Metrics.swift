import AuthInterface
import Hummingbird
import NIOCore

extension Gateway {
    /// `GET /metrics`: the gateway's own metrics, then authd's (`system.metrics`, which
    /// authd answers because the gateway runs in its metrics group), as one Prometheus text.
    /// Served only to clients in `--metrics-allow` (loopback by default), judged by the
    /// address `--trusted-proxy` resolves, so that a proxy in front cannot open it to
    /// everyone. When authd does not answer, the gateway's own with
    /// `authd_gateway_upstream_up 0`: a scrape that fails outright would hide them too.
    func metricsPage(_ context: GatewayRequestContext) async throws(GatewayError) -> Response {
        guard let client = context.client, configuration.metricsAllowed.contains(where: { $0.contains(client) }) else {
            throw GatewayError(.forbidden, "Metrics are not served to this address")
        }
        var authdText: String?
        switch await authd.call(.metrics, [:]) {
        case .success(let result): authdText = result["text"]?.string
        case .failure(let error) where error.code != RPCErrorCode.unavailable.rawValue:
            logger.warning("authd refused system.metrics; is the gateway in authd's --metrics-group?",
                           metadata: ["error": "\(error.message)"])
        case .failure: break  // the pool has said why
        }
        var text = metrics.exposition(upstreamUp: authdText != nil, openConnections: authd.openConnections)
        if let authdText { text += authdText }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
