import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus the connecting peer's address,
/// which `X-Forwarded-For` handling starts from.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let peer: IPAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        peer = source.channel.remoteAddress.flatMap(IPAddress.init)
    }
}
