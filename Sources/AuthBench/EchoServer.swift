import NIOCore
import NIOPosix

/// The ceiling the protocol numbers are read against: a server on a Unix socket that
/// sends every byte straight back, so a request line comes back as its own answer.
public enum EchoServer {
    public static func run(socket path: String, group: MultiThreadedEventLoopGroup) async throws {
        try await start(socket: path, group: group).closeFuture.get()
    }

    /// Listens and returns the listening channel (close it to stop).
    public static func start(socket path: String, group: MultiThreadedEventLoopGroup) async throws -> Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Echo()) }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
    }

    final class Echo: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.write(data, promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }
    }
}
