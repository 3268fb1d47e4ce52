import AuthSystemd
import AuthWire
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

extension Gateway {
    /// Serves until SIGTERM or SIGINT: on the socket systemd passed if there is one, else
    /// on `--listen`; says READY=1 once it listens, keeps the watchdog fed, and says
    /// STOPPING=1 when it begins to shut down.
    public func run() async throws {
        Systemd.unblockControlSignals()
        let router = makeRouter()
        let http = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
        defer { authd.close() }
        let place: GatewayServer<RouterResponder<GatewayRequestContext>>.Place =
            if let descriptor = try Self.passedSocket() { .descriptor(descriptor) }
            else { .address(host: configuration.listenHost, port: configuration.listenPort) }
        if !UnixSocket.isAnswering(configuration.socketPath) {
            // Not fatal: authd may start after the gateway; until then requests get 503.
            logger.warning("nothing answers on authd's socket yet", metadata: ["socket": "\(configuration.socketPath)"])
        }
        let server = GatewayServer(place: place, responder: router.buildResponder(), configuration: http, logger: logger)
        // Shut down last first: the notifier says STOPPING=1, then the server drains.
        try await ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: server), .init(service: SystemdNotifier(), successTerminationBehavior: .ignore)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }

    /// The listening socket systemd passed (`ListenStream=`), nil without socket activation.
    static func passedSocket() throws(GatewayConfiguration.Invalid) -> CInt? {
        let count = Systemd.passedDescriptorCount()
        guard count > 0 else { return nil }
        guard count == 1 else {
            throw GatewayConfiguration.Invalid(description: "systemd passed \(count) sockets; the gateway listens on exactly one")
        }
        guard Systemd.isListeningStreamSocket(Systemd.firstPassedDescriptor) else {
            throw GatewayConfiguration.Invalid(description: "the descriptor systemd passed is not a listening stream socket (use ListenStream=)")
        }
        return Systemd.firstPassedDescriptor
    }

    /// Logs where the gateway listens (the real port when --listen gave 0, for whoever
    /// started it) and tells systemd it is ready.
    static func announceListening(on address: SocketAddress?, activated: Bool, logger: Logger) {
        let place = address.map(hostAndPort) ?? "fd \(Systemd.firstPassedDescriptor)"
        var metadata: Logger.Metadata = ["address": "\(place)"]
        if activated { metadata["activated"] = "systemd" }
        logger.info("listening", metadata: metadata)
        Systemd.notify("READY=1\nSTATUS=Serving HTTP on \(place)")
    }

    /// `127.0.0.1:8080` or `[::1]:8080`, as `--listen` takes it.
    static func hostAndPort(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
