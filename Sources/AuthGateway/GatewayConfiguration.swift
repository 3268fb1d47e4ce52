import AuthSettings
import AuthWire
import Foundation
import Logging

/// Everything the gateway is told at start: options first, then environment, then defaults.
public struct GatewayConfiguration: Sendable {
    public var socketPath: String
    public var listenHost = "127.0.0.1"
    public var listenPort = 8080
    public var corsOrigins: [String] = []
    public var trustedProxies: [CIDR] = []
    /// The portal's public address (`--portal-url`); nil: `/login` on the proxied host.
    public var portalURL: String?
    /// Clients that may read `/metrics`, judged by the address `trustedProxies` resolve.
    public var metricsAllowed: [CIDR] = [CIDR("127.0.0.0/8")!, CIDR("::1")!]
    /// Largest request body; register, login and update need well under a kilobyte.
    public var maxBodyBytes = 65536
    /// Connections to authd; each carries many calls at once.
    public var authdConnections = 4
    /// A client connection idle this long, including one stalled in its headers or body, is closed.
    public var idleTimeoutSeconds = 30
    /// A call authd has not answered in this long fails with 503.
    public var callTimeoutSeconds = 30
    public var logLevel: Logger.Level = .info
    /// Whether the socket is authd's default, whose directory is checked before it is trusted.
    public var socketIsDefault = false

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// What the command line gave, read against `GatewaySettings`.
    public typealias Options = CommandLineOptions<GatewaySettings>

    /// A setting that cannot work, said in a way that tells what to change.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Options first, then the environment, then the defaults. The default socket is
    /// authd's, and in the per-user fallback directory only when that directory is safe.
    public static func resolve(_ options: Options, environment: [String: String], uid: UInt32) throws(Invalid) -> GatewayConfiguration {
        let settings: ResolvedSettings<GatewaySettings>
        do {
            settings = try ResolvedSettings(SettingLayers(commandLine: options.values, environment: environment))
        } catch {
            throw Invalid(description: "\(error)")
        }
        var config = GatewayConfiguration(socketPath: settings.socket ?? SocketPath.default(uid: uid, environment: environment))
        config.socketIsDefault = settings.socket == nil
        if let listen = settings.listen { (config.listenHost, config.listenPort) = (listen.host, listen.port) }
        config.corsOrigins = settings.corsOrigins
        config.trustedProxies = settings.trustedProxies
        config.portalURL = settings.portalURL
        if !settings.metricsAllowed.isEmpty { config.metricsAllowed = settings.metricsAllowed }
        (config.maxBodyBytes, config.authdConnections) = (settings.maxBodyBytes, settings.authdConnections)
        (config.idleTimeoutSeconds, config.logLevel) = (settings.idleTimeout, settings.logLevel)
        return config
    }
}
