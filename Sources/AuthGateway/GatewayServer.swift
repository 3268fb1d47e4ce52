import AuthThreads
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves the router over HTTP/1 on a listening socket systemd passed or on an address,
/// doing per request what Hummingbird's `Application` does. Each connection's task runs
/// on the connection's event loop, where the pool's connection to authd for that loop
/// also lives, so that a request and its call to authd never change threads.
struct GatewayServer<Responder: HTTPResponder>: Service where Responder.Context == GatewayRequestContext {
    enum Place {
        /// A socket systemd passed (`ListenStream=`).
        case descriptor(CInt)
        case address(host: String, port: Int)

        var isActivated: Bool {
            if case .descriptor = self { return true }
            return false
        }
    }

    let place: Place
    let responder: Responder
    let configuration: HTTP1Channel.Configuration
    let logger: Logger

    func run() async throws {
        let (responder, logger) = (self.responder, self.logger)
        let http = HTTP1Channel(responder: { request, writer, channel in
            let context = GatewayRequestContext(source: .init(channel: channel, logger: logger))
            let response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                response = GatewayError.internalError.response
            }
            try await writer.write(response: response.head, body: response.body)
        }, configuration: configuration)
        let connections = OpenConnections()
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        let initializer = { @Sendable (channel: any Channel) in
            connections.add(channel)
            return http.setup(channel: channel, logger: logger)
        }
        let listener = switch place {
        case .descriptor(let descriptor):
            try await bootstrap.bind(NIOBSDSocket.Handle(descriptor), cleanupExistingSocketFile: false, childChannelInitializer: initializer)
        case .address(let host, let port):
            try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        }
        Gateway.announceListening(on: listener.channel.localAddress, activated: place.isActivated, logger: logger)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask(executorPreference: EventLoopTaskExecutor(connection.channel.eventLoop)) {
                            await http.handle(value: connection, logger: logger)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            // Stop accepting; let each connection finish the request it is on, then close.
            listener.channel.close(promise: nil)
            connections.quiesce()
        }
    }
}

/// The accepted connections, so that shutdown can ask each to close once it is idle.
private final class OpenConnections: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { _ in self.channels.withLock { _ = $0.removeValue(forKey: key) } }
    }

    func quiesce() {
        for channel in channels.withLock({ Array($0.values) }) {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }
}
