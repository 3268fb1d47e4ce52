import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Serves the router on a listening socket systemd passed. Hummingbird's `Application`
/// only binds addresses itself, so this runs its HTTP/1 channel over NIO's adoption of an
/// existing socket, doing per request what `Application` does.
struct ActivatedServer<Responder: HTTPResponder>: Service where Responder.Context == GatewayRequestContext {
    let descriptor: CInt
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
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(NIOBSDSocket.Handle(descriptor), cleanupExistingSocketFile: false) { channel in
                connections.add(channel)
                return http.setup(channel: channel, logger: logger)
            }
        Gateway.announceListening(on: listener.channel.localAddress, activated: true, logger: logger)
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await http.handle(value: connection, logger: logger) }
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
