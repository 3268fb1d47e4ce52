import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

extension Gateway {
    /// Serves until SIGTERM or SIGINT: on the socket systemd passed if there is one, else
    /// on `--listen`.
    public func run() async throws {
        let router = makeRouter()
        let http = HTTP1Channel.Configuration(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))
        defer { authd.close() }
        if let descriptor = try SocketActivation.listeningSocket() {
            let server = ActivatedServer(descriptor: descriptor, responder: router.buildResponder(), configuration: http, logger: logger)
            try await ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
            return
        }
        let logger = self.logger
        let app = Application(
            router: router, server: .http1(configuration: http),
            configuration: ApplicationConfiguration(address: .hostname(configuration.listenHost, port: configuration.listenPort)),
            onServerRunning: { channel in
                // The real port when --listen gave 0, for whoever started us.
                logger.info("listening", metadata: ["address": "\(channel.localAddress.map(Self.hostAndPort) ?? "?")"])
            },
            logger: logger)
        try await app.runService()
    }

    /// `127.0.0.1:8080` or `[::1]:8080`, as `--listen` takes it.
    static func hostAndPort(_ address: SocketAddress) -> String {
        guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
