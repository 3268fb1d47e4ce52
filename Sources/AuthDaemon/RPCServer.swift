import AuthInterface
import AuthJSON
import AuthSystemd
import AuthWire
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// authd's server, a service of its group: the listening socket, adopted from systemd or
/// bound to a path, with the contract's connection limits as they stand when each
/// connection arrives. Connections are served by `ConnectionServer`; a graceful shutdown
/// stops accepting and lets each connection answer what it has in flight.
struct RPCServer: Service {
    struct Limits: Sendable {
        var maxRequestBytes: Int
        var idleTimeout: TimeAmount
        var maxConnections: Int
        var connectionsPerUID: Int
        var reservedConnections: Int
    }

    /// Where the socket comes from.
    enum Place: Sendable {
        /// The listening socket systemd passed (`ListenStream=`).
        case descriptor(Int32)
        /// A path authd binds, gives mode 0660 and, with `--socket-group`, that group.
        case path(String, group: SocketGroup?)
    }

    /// `--socket-group`, resolved before the socket is bound.
    struct SocketGroup: Sendable {
        let name: String
        let id: UInt32
    }

    /// How long a shutdown waits for the requests in flight.
    static let drainTimeout = TimeAmount.seconds(10)

    let place: Place
    let settings: ReloadableSettings
    let dispatcher: RPCDispatcher
    let metrics: RequestMetrics
    let inFlight: InFlightRequests
    let slots = ConnectionSlots()
    let open = OpenChannels()
    let logger: Logger
    /// Called once the socket accepts connections (READY=1 belongs there).
    let onListening: @Sendable () -> Void

    /// Where clients connect, for the log and STATUS=.
    static func description(of place: Place) -> String {
        switch place {
        case .descriptor: "the socket passed by systemd"
        case .path(let path, _): path
        }
    }

    /// Where to listen: systemd's socket when one was passed, else `socketPath`, whose
    /// directory is created and where no live daemon may already answer.
    static func place(socketPath: String, socketGroup: String?) throws -> Place {
        if let fd = Systemd.passedUnixSocket() { return .descriptor(fd) }
        let group = try socketGroup.map { name in
            guard let gid = PeerPolicy.gid(named: name) else { throw ConfigurationError("socket group '\(name)' does not exist") }
            return SocketGroup(name: name, id: gid)
        }
        let directory = URL(fileURLWithPath: socketPath).deletingLastPathComponent().path
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        if UnixSocket.isAnswering(socketPath) {
            throw ConfigurationError("another daemon is already answering on \(socketPath)")
        }
        return .path(socketPath, group: group)
    }

    func run() async throws {
        let (settings, metrics, dispatcher, inFlight, slots, open) =
            (self.settings, self.metrics, self.dispatcher, self.inFlight, self.slots, self.open)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 511)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer(open.listenerInitializer)
        let initialize = open.childInitializer { channel -> EventLoopFuture<any Channel> in
            Self.initialize(channel, settings: settings, metrics: metrics, dispatcher: dispatcher, inFlight: inFlight, slots: slots, open: open)
                .map { channel }
        }
        let listener: NIOAsyncChannel<any Channel, Never>
        switch place {
        case .descriptor(let fd):
            listener = try await bootstrap.bind(NIOBSDSocket.Handle(fd), childChannelInitializer: initialize)
        case .path(let path, let group):
            // The socket is born 0660 (the umask applies to the file bind() creates), so no
            // client ever sees it with another mode; the umask is restored at once.
            let umaskBefore = umask(0o117)
            defer { umask(umaskBefore) }
            listener = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initialize)
            try Self.setGroup(path, group: group)
        }
        onListening()
        try await withGracefulShutdownHandler {
            try await ConnectionServer.serve(listener, open: open, drainTimeout: Self.drainTimeout, channel: { $0 }) { channel in
                try? await channel.closeFuture.get()
            }
        } onGracefulShutdown: {
            logger.info("stopping: no new connections; finishing \(inFlight.current) requests in flight")
        }
    }

    /// One connection's pipeline: refused politely when `slots` has no room for it (the
    /// count first, then, once the peer is known, its share and the reserve), else
    /// framed lines, each due within the idle timeout of its first byte, to a
    /// `ConnectionHandler` that knows who the peer is.
    private static func initialize(
        _ channel: any Channel, settings: ReloadableSettings, metrics: RequestMetrics, dispatcher: RPCDispatcher,
        inFlight: InFlightRequests, slots: ConnectionSlots, open: OpenChannels
    ) -> EventLoopFuture<Void> {
        let (limits, policy) = (settings.current.limits, settings.current.policy)
        let rank: Int
        switch slots.arrive(limits) {
        case .success(let count): rank = count
        case .failure(let refusal): return refuse(channel, refusal, metrics: metrics)
        }
        return policy.caller(of: channel).flatMap { caller in
            if let refusal = slots.admit(caller, rank: rank, limits) { return refuse(channel, refusal, metrics: metrics) }
            metrics.connectionOpened()
            channel.closeFuture.whenComplete { _ in
                slots.depart(caller)
                metrics.connectionClosed()
            }
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers([
                    LineDeadlineHandler(timeout: limits.idleTimeout),
                    ByteToMessageHandler(LineFrameDecoder(maxLength: limits.maxRequestBytes, skipsBlankLines: true)),
                    // After the decoder: idle means no request line, whatever bytes arrive.
                    IdleStateHandler(readTimeout: limits.idleTimeout),
                    ConnectionHandler(
                        dispatcher: dispatcher, caller: caller, maxRequestBytes: limits.maxRequestBytes,
                        inFlight: inFlight, eventLoop: channel.eventLoop, stopping: { open.isDraining }),
                ])
            }
        }
    }

    private static func refuse(_ channel: any Channel, _ refusal: ConnectionSlots.Refusal, metrics: RequestMetrics) -> EventLoopFuture<Void> {
        metrics.connectionRefused()
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RefusingHandler(message: refusal.message))
        }
    }

    /// Gives the socket to `--socket-group`, without following a symlink put in its place.
    private static func setGroup(_ path: String, group: SocketGroup?) throws {
        guard let group else { return }
        guard lchown(path, uid_t.max, group.id) == 0 else {
            throw ConfigurationError("cannot give \(path) to group \(group.name): \(String(cString: strerror(errno)))")
        }
    }
}

/// Refuses a connection `ConnectionSlots` has no room for politely: one error line, then close.
private final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let message: String

    init(message: String) {
        self.message = message
    }

    func channelActive(context: ChannelHandlerContext) {
        let error = RPCResponse.failure(id: .null, error: RPCError(.unavailable, message, data: ["retry_after": 1]))
        // Closing with the client's request unread would reset the connection before it
        // could read why: stop writing, discard what it sends, and close once it has
        // (or a second later). The connection's slot is already given back.
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ConnectionHandler.frame(error, channel.allocator))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }
}
