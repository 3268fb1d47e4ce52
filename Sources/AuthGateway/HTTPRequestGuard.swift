import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Between NIO's HTTP/1 parser and Hummingbird, on NIO's own request parts (which still
/// know the HTTP version). It refuses an HTTP/1.1 request without exactly one `Host`
/// (RFC 9112 §3.2) the way NIO refuses bytes it cannot parse, and turns the empty 400
/// Hummingbird answers either with into the contract's JSON error shape, with the headers
/// every response carries.
final class HTTPRequestGuard: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The message of the 400 to be written, once a request has been refused.
    private var refusal: String?
    /// The body that goes before the refusal's end.
    private var refusalBody: ByteBuffer?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Nothing more is read from a connection once a request on it was refused.
        guard refusal == nil else { return }
        if case .head(let head) = unwrapInboundIn(data), head.version == .http1_1 {
            // Counted on the names' bytes: `headers["Host"]` would build an array per request.
            var hosts = 0
            for (name, _) in head.headers where name.utf8.count == 4 && zip(name.utf8, "host".utf8).allSatisfy({ $0 | 0x20 == $1 }) {
                hosts += 1
            }
            if hosts != 1 {
                refusal = hosts == 0 ? "An HTTP/1.1 request needs a Host header" : "More than one Host header"
                context.fireErrorCaught(HTTPParserError.invalidHeaderToken)
                return
            }
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError, refusal == nil { refusal = "Malformed HTTP request" }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let refusal else { return context.write(data, promise: promise) }
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status == .badRequest:
            let body = ByteBuffer(bytes: GatewayError(.badRequest, refusal).body.serialized())
            head.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
            SecurityHeadersMiddleware<GatewayRequestContext>.apply { head.headers.replaceOrAdd(name: $0.rawName, value: $1) }
            refusalBody = body
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end(let trailers):
            if let body = refusalBody { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
            refusalBody = nil
            context.write(wrapOutboundOut(.end(trailers)), promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }
}

extension Gateway {
    /// Hummingbird's HTTP/1 pipeline for a connection, with `HTTPRequestGuard` placed right
    /// after NIO's parser (and its pipelining handler), before the parts become HTTPTypes'.
    static func setUpHTTP(_ http: HTTP1Channel, _ channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let parser: any ChannelHandler
            if let pipelining = try? pipeline.handler(type: HTTPServerPipelineHandler.self) {
                parser = pipelining
            } else {
                parser = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            }
            try pipeline.addHandler(HTTPRequestGuard(), position: .after(parser))
            return value
        }
    }
}
