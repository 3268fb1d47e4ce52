import AuthSettings
import Logging

/// Every setting of the gateway, declared once: `--help`, the environment names and the
/// errors read this table. A new option is a property here plus its row in the README.
public struct GatewaySettings: SettingsTable {
    public init() {}

    public let socket = Setting<String?>("socket", env: "AUTHD_SOCKET", value: "PATH", help: "authd's Unix socket",
        default: nil, defaultHelp: "authd's own default", parse: Parse.text)
    public let listen = Setting<ListenAddress?>("listen", env: "AUTHD_GATEWAY_LISTEN", value: "HOST:PORT",
        help: "Where to listen (ignored under socket activation)", default: nil, defaultHelp: "127.0.0.1:8080",
        parse: { text throws(SettingError.Problem) in try ListenAddress(text) })
    public let corsOrigins = Setting<[String]>.list("cors-origin", env: "AUTHD_GATEWAY_CORS_ORIGINS", value: "ORIGIN",
        help: "An origin allowed to call from a browser (the variable: comma-separated)", item: { $0 })
    public let trustedProxies = Setting<[CIDR]>.list("trusted-proxy", env: "AUTHD_GATEWAY_TRUSTED_PROXIES", value: "CIDR",
        help: "Address or CIDR of a proxy whose X-Forwarded-For is believed", item: CIDR.parse)
    public let metricsAllowed = Setting<[CIDR]>.list("metrics-allow", env: "AUTHD_GATEWAY_METRICS_ALLOW", value: "CIDR",
        help: "Address or CIDR of clients that may read /metrics", defaultHelp: "loopback", item: CIDR.parse)
    public let maxBodyBytes = Setting<Int>("max-body-bytes", env: "AUTHD_GATEWAY_MAX_BODY_BYTES", value: "N",
        help: "Largest request body in bytes", default: 65536, defaultHelp: "65536", parse: Parse.number(1...(64 << 20)))
    public let authdConnections = Setting<Int>("authd-connections", env: "AUTHD_GATEWAY_CONNECTIONS", value: "N",
        help: "Connections to authd, each pipelined", default: 4, defaultHelp: "4", parse: Parse.number(1...256))
    public let idleTimeout = Setting<Int>("idle-timeout", env: "AUTHD_GATEWAY_IDLE_TIMEOUT", value: "SECONDS",
        help: "Seconds before an idle or stalled client connection is closed", default: 30, defaultHelp: "30",
        parse: Parse.number(1...86_400))
    public let portalURL = Setting<String?>("portal-url", env: "AUTHD_GATEWAY_PORTAL_URL", value: "URL",
        help: "The sign-in portal's public address, where forward-auth sends a browser that is not signed in",
        default: nil, defaultHelp: "/login on the proxied host", parse: Parse.text)
    public let logLevel = Setting<Logger.Level>("log-level", env: "AUTHD_GATEWAY_LOG_LEVEL", value: "LEVEL",
        help: "trace, debug, info, notice, warning, error or critical", default: .info, defaultHelp: "info", parse: Parse.logLevel)
}

/// `HOST:PORT` or `[IPv6]:PORT`.
public struct ListenAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    init(_ text: String) throws(SettingError.Problem) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw SettingError.Problem("must be HOST:PORT or [IPv6]:PORT, got '\(text)'")
        }
        var host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, !host.contains("[") else { throw SettingError.Problem("must be HOST:PORT or [IPv6]:PORT, got '\(text)'") }
        (self.host, self.port) = (String(host), port)
    }
}

extension CIDR {
    @Sendable static func parse(_ text: String) throws(SettingError.Problem) -> CIDR {
        guard let cidr = CIDR(text) else { throw SettingError.Problem("must be an address or CIDR, got '\(text)'") }
        return cidr
    }
}
