import ArgumentParser
import AuthGateway
import Foundation
import Logging

/// authd-gateway: the original Flask app's REST API over authd's Unix socket.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd-gateway",
        abstract: "HTTP gateway to authd: the Flask app's REST routes, translated into JSON-RPC calls.",
        discussion: """
            Each option can also be set in the environment under the name shown. Under systemd socket \
            activation the gateway serves the socket it is passed and ignores --listen.
            """,
        version: OpenAPIDocument.version)

    @Option(help: "authd's Unix socket (AUTHD_SOCKET; default: authd's own default).") var socket: String?
    @Option(help: "HOST:PORT to listen on (AUTHD_GATEWAY_LISTEN, default 127.0.0.1:8080).") var listen: String?
    @Option(name: .customLong("cors-origin"),
            help: "An origin allowed to call from a browser; repeatable (AUTHD_GATEWAY_CORS_ORIGINS, comma-separated).")
    var corsOrigins: [String] = []
    @Option(name: .customLong("trusted-proxy"),
            help: "Address or CIDR of a proxy whose X-Forwarded-For is believed; repeatable (AUTHD_GATEWAY_TRUSTED_PROXIES).")
    var trustedProxies: [String] = []
    @Option(name: .customLong("metrics-allow"),
            help: "Address or CIDR of clients that may read /metrics; repeatable (AUTHD_GATEWAY_METRICS_ALLOW, default loopback).")
    var metricsAllowed: [String] = []
    @Option(help: "Largest request body in bytes (AUTHD_GATEWAY_MAX_BODY_BYTES, default 65536).") var maxBodyBytes: Int?
    @Option(help: "Connections to authd, each pipelined (AUTHD_GATEWAY_CONNECTIONS, default 4).") var authdConnections: Int?
    @Option(help: "Seconds before an idle or stalled client connection is closed (AUTHD_GATEWAY_IDLE_TIMEOUT, default 30).")
    var idleTimeout: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (AUTHD_GATEWAY_LOG_LEVEL, default info).") var logLevel: String?

    func run() async throws {
        var options = GatewayConfiguration.Options()
        (options.socket, options.listen, options.corsOrigins, options.trustedProxies) = (socket, listen, corsOrigins, trustedProxies)
        options.metricsAllowed = metricsAllowed
        (options.maxBodyBytes, options.authdConnections, options.idleTimeout, options.logLevel) =
            (maxBodyBytes, authdConnections, idleTimeout, logLevel)
        let config: GatewayConfiguration
        do {
            config = try GatewayConfiguration.resolve(options, environment: ProcessInfo.processInfo.environment, uid: getuid())
        } catch {
            FileHandle.standardError.write(Data("authd-gateway: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG: systemd should not restart in a loop
        }
        Gateway.bootstrapLogging(level: config.logLevel, environment: ProcessInfo.processInfo.environment)
        try await Gateway(configuration: config, logger: Logger(label: "authd-gateway")).run()
    }
}
