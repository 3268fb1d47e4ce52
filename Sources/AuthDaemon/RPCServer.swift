import AuthInterface
import AuthJSON
import AuthSystemd
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// The listening socket: adopted from systemd or bound to a path, with the
/// contract's connection limits as they stand when each connection arrives.
struct RPCServer {
    struct Limits: Sendable {
        var maxRequestBytes: Int
        var idleTimeout: TimeAmount
        var maxConnections: Int
    }

    let channel: Channel
    /// Where clients connect (the bound path, or systemd's socket).
    let description: String

    static func start(
        socketPath: String, socketGroup: String?, settings: ReloadableSettings, dispatcher: RPCDispatcher,
        metrics: RequestMetrics, inFlight: InFlightRequests, group: EventLoopGroup, logger: Logger
    ) async throws -> RPCServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 511)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                let (limits, policy) = (settings.current.limits, settings.current.policy)
                if metrics.connectionOpened() > limits.maxConnections {
                    metrics.connectionRefused()
                    channel.closeFuture.whenComplete { _ in metrics.connectionClosed() }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(RefusingHandler())
                    }
                }
                channel.closeFuture.whenComplete { _ in metrics.connectionClosed() }
                return policy.caller(of: channel).flatMapThrowing { caller in
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(readTimeout: limits.idleTimeout),
                        ByteToMessageHandler(LineFrameDecoder(maxLength: limits.maxRequestBytes)),
                        ConnectionHandler(
                            dispatcher: dispatcher, caller: caller, maxRequestBytes: limits.maxRequestBytes,
                            inFlight: inFlight, eventLoop: channel.eventLoop),
                    ])
                }
            }

        if let fd = Systemd.passedUnixSocket() {
            let channel = try await bootstrap.withBoundSocket(fd).get()
            return RPCServer(channel: channel, description: "the socket passed by systemd")
        }
        try prepare(socketPath)
        let channel = try await bootstrap.bind(unixDomainSocketPath: socketPath, cleanupExistingSocketFile: true).get()
        // A socket NIO binds gets its mode from the umask; clients need exactly 0660.
        chmod(socketPath, 0o660)
        if let socketGroup {
            guard let gid = PeerPolicy.gid(named: socketGroup) else {
                throw ConfigurationError("socket group '\(socketGroup)' does not exist")
            }
            guard chown(socketPath, uid_t.max, gid) == 0 else {
                throw ConfigurationError("cannot give \(socketPath) to group \(socketGroup): \(String(cString: strerror(errno)))")
            }
        }
        return RPCServer(channel: channel, description: socketPath)
    }

    /// Creates the socket's directory, and refuses a path where a live daemon answers.
    private static func prepare(_ path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        if isAnswering(path) {
            throw ConfigurationError("another daemon is already answering on \(path)")
        }
    }

    /// Whether something accepts connections on the Unix socket at `path` (a stale file does not).
    static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}

/// Refuses a connection beyond `max_connections` politely: one error line, then close.
private final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        let error = RPCResponse.failure(id: .null, error: RPCError(.unavailable, "Too many connections", data: ["retry_after": 1]))
        context.writeAndFlush(wrapOutboundOut(ConnectionHandler.frame(error, context.channel.allocator)))
            .whenComplete { [channel = context.channel] _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
