import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage, the connecting peer's address,
/// which `X-Forwarded-For` handling starts from, and the client's address resolved from
/// them once per request (by `AccessLogMiddleware`, the outermost that needs it).
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peer: IPAddress?
    public internal(set) var client: IPAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        peer = source.channel.remoteAddress.flatMap(IPAddress.init)
        client = peer
    }
}
