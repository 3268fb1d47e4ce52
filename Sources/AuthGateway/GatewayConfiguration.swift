import Foundation
import Logging

/// Everything the gateway is told at start: options first, then environment, then defaults.
public struct GatewayConfiguration: Sendable {
    public var socketPath: String
    public var listenHost = "127.0.0.1"
    public var listenPort = 8080
    public var corsOrigins: [String] = []
    public var trustedProxies: [CIDR] = []
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

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// What the command line gave; nil and empty mean "not given".
    public struct Options: Sendable {
        public var socket: String?
        public var listen: String?
        public var corsOrigins: [String] = []
        public var trustedProxies: [String] = []
        public var metricsAllowed: [String] = []
        public var maxBodyBytes: Int?
        public var authdConnections: Int?
        public var idleTimeout: Int?
        public var logLevel: String?

        public init() {}
    }

    /// A setting that cannot work, said in a way that tells what to change.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func resolve(_ options: Options, environment: [String: String], uid: UInt32) throws(Invalid) -> GatewayConfiguration {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        func list(_ name: String) -> [String] {
            (env(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var config = GatewayConfiguration(socketPath: options.socket ?? env("AUTHD_SOCKET") ?? defaultSocketPath(uid: uid, environment: environment))
        if let listen = options.listen ?? env("AUTHD_GATEWAY_LISTEN") {
            guard let (host, port) = parseListen(listen) else {
                throw Invalid(description: "--listen must be HOST:PORT or [IPv6]:PORT, not \"\(listen)\"")
            }
            (config.listenHost, config.listenPort) = (host, port)
        }
        config.corsOrigins = options.corsOrigins.isEmpty ? list("AUTHD_GATEWAY_CORS_ORIGINS") : options.corsOrigins
        let proxies = options.trustedProxies.isEmpty ? list("AUTHD_GATEWAY_TRUSTED_PROXIES") : options.trustedProxies
        config.trustedProxies = try cidrs(proxies, "--trusted-proxy")
        let metricsAllowed = options.metricsAllowed.isEmpty ? list("AUTHD_GATEWAY_METRICS_ALLOW") : options.metricsAllowed
        if !metricsAllowed.isEmpty { config.metricsAllowed = try cidrs(metricsAllowed, "--metrics-allow") }
        let bodyFromEnv = try int(env("AUTHD_GATEWAY_MAX_BODY_BYTES"), "--max-body-bytes")
        if let n = options.maxBodyBytes ?? bodyFromEnv {
            guard n > 0 else { throw Invalid(description: "--max-body-bytes must be positive") }
            config.maxBodyBytes = n
        }
        let connectionsFromEnv = try int(env("AUTHD_GATEWAY_CONNECTIONS"), "--authd-connections")
        if let n = options.authdConnections ?? connectionsFromEnv {
            guard (1...256).contains(n) else { throw Invalid(description: "--authd-connections must be between 1 and 256") }
            config.authdConnections = n
        }
        let idleFromEnv = try int(env("AUTHD_GATEWAY_IDLE_TIMEOUT"), "--idle-timeout")
        if let n = options.idleTimeout ?? idleFromEnv {
            guard n > 0 else { throw Invalid(description: "--idle-timeout must be a positive number of seconds") }
            config.idleTimeoutSeconds = n
        }
        if let level = options.logLevel ?? env("AUTHD_GATEWAY_LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw Invalid(description: "--log-level must be trace, debug, info, notice, warning, error or critical")
            }
            config.logLevel = parsed
        }
        return config
    }

    /// authd's own default, so that the two find each other without configuration.
    public static func defaultSocketPath(uid: UInt32, environment: [String: String]) -> String {
        if uid == 0 { return "/run/authd/authd.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return "\(runtime)/authd/authd.sock" }
        return "/tmp/authd-\(uid)/authd.sock"
    }

    /// `HOST:PORT` or `[IPv6]:PORT`.
    static func parseListen(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, !host.contains("[") else { return nil }
        return (String(host), port)
    }

    private static func cidrs(_ texts: [String], _ option: String) throws(Invalid) -> [CIDR] {
        try texts.map { text throws(Invalid) in
            guard let cidr = CIDR(text) else { throw Invalid(description: "\(option) must be an address or CIDR, not \"\(text)\"") }
            return cidr
        }
    }

    private static func int(_ text: String?, _ option: String) throws(Invalid) -> Int? {
        guard let text else { return nil }
        guard let n = Int(text) else { throw Invalid(description: "\(option) must be a whole number, not \"\(text)\"") }
        return n
    }
}
