import AuthWire
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// Serves the router over HTTP/1 on a listening socket systemd passed or on an address,
/// doing per request what Hummingbird's `Application` does. Each connection's task runs
/// on the connection's event loop, where the pool's connection to authd for that loop
/// also lives, so that a request and its call to authd never change threads.
struct GatewayServer<Responder: HTTPResponder>: Service where Responder.Context == GatewayRequestContext {
    enum Place: CustomStringConvertible {
        /// A socket systemd passed (`ListenStream=`).
        case descriptor(CInt)
        case address(host: String, port: Int)

        var description: String {
            switch self {
            case .descriptor(let descriptor): "the socket systemd passed (fd \(descriptor))"
            case .address(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            }
        }

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
        // Every connection from accept() on, so that a stop (or restart) resets none that
        // was accepted as the listener closed (see OpenChannels).
        let open = OpenChannels()
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
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer(open.listenerInitializer)
        let initializer = open.childInitializer { channel in Gateway.setUpHTTP(http, channel, logger: logger) }
        let listener: NIOAsyncChannel<HTTP1Channel.Value, Never>
        do {
            listener = switch place {
            case .descriptor(let descriptor):
                try await bootstrap.bind(NIOBSDSocket.Handle(descriptor), cleanupExistingSocketFile: false, childChannelInitializer: initializer)
            case .address(let host, let port):
                try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
            }
        } catch {
            // A busy port is the operator's to fix, like a bad option: say where, and exit 78.
            throw GatewayConfiguration.Invalid(description: "cannot listen on \(place): \(error)")
        }
        Gateway.announceListening(on: listener.channel.localAddress, activated: place.isActivated, logger: logger)
        // On shutdown each connection finishes the request it is on, then closes.
        try await ConnectionServer.serve(listener, open: open, drainTimeout: nil, channel: { $0.channel }) { connection in
            await http.handle(value: connection, logger: logger)
        }
    }
}
