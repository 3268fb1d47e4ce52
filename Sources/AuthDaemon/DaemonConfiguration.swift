#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Everything authd is configured with, resolved from command-line options, the
/// environment and `.env`, in that order, then defaults that work with no setup.
public struct DaemonConfiguration: Sendable {
    public var socketPath: String
    public var database: Database
    public var stateDirectory: String
    public var adminGroup: String?
    /// The group whose members may read `system.metrics` besides privileged peers (the gateway's).
    public var metricsGroup: String?
    public var socketGroup: String?
    public var maxRequestBytes = 1 << 20
    public var idleTimeout = 60
    public var maxConnections = 1024
    public var bcryptCost = 12
    public var tokenLifetime = 3600
    public var hashThreads = ProcessInfo.processInfo.activeProcessorCount
    public var hashQueueLimit = 256
    /// Connections (threads) to the database: SQLite readers, or libpq connections.
    public var storageConnections = 2 * ProcessInfo.processInfo.activeProcessorCount
    /// How long a request waits for the database before it gets -32050.
    public var storageTimeout = 5
    public var logLevel = Logger.Level.info
    /// Brute-force protection: failures per account and per client within the window,
    /// and the first lockout's length (doubling with each further failure).
    public var throttle = LoginThrottleSettings()
    /// Where the signing secret comes from: JWT_SECRET_KEY's value, if set.
    public var jwtSecret: String?
    /// systemd's credentials directory, if any.
    public var credentialsDirectory: String?

    /// Option values from the command line; nil means "not given".
    public struct Overrides: Sendable {
        public var socket: String?
        public var database: String?
        public var adminGroup: String?
        public var metricsGroup: String?
        public var socketGroup: String?
        /// A file of KEY=value settings under the environment (AUTHD_ENV_FILE).
        public var envFile: String?
        public var maxRequestBytes: Int?
        public var idleTimeout: Int?
        public var maxConnections: Int?
        public var bcryptCost: Int?
        public var tokenLifetime: Int?
        public var hashThreads: Int?
        public var hashQueueLimit: Int?
        public var storageConnections: Int?
        public var storageTimeout: Int?
        public var loginAccountLimit: Int?
        public var loginClientLimit: Int?
        public var loginWindow: Int?
        public var loginBackoff: Int?
        public var logLevel: String?
        public init() {}
    }

    public static func resolve(_ o: Overrides, environment env: [String: String], uid: UInt32 = getuid()) throws -> DaemonConfiguration {
        let home = env["HOME"] ?? "/tmp"
        let stateDirectory: String
        let runtimeDirectory: String
        if let systemdState = env["STATE_DIRECTORY"]?.split(separator: ":").first {
            stateDirectory = String(systemdState)
        } else if uid == 0 {
            stateDirectory = "/var/lib/authd"
        } else {
            stateDirectory = (env["XDG_STATE_HOME"] ?? "\(home)/.local/state") + "/authd"
        }
        if uid == 0 {
            runtimeDirectory = "/run/authd"
        } else if let xdg = env["XDG_RUNTIME_DIR"], !xdg.isEmpty {
            runtimeDirectory = "\(xdg)/authd"
        } else {
            runtimeDirectory = "/tmp/authd-\(uid)"
        }

        let database = o.database ?? env["AUTHD_DATABASE_URL"] ?? env["DATABASE_URL"]
        var c = DaemonConfiguration(
            socketPath: o.socket ?? env["AUTHD_SOCKET"] ?? "\(runtimeDirectory)/authd.sock",
            database: try database.map(Database.init(url:)) ?? .sqlite("\(stateDirectory)/authd.db"),
            stateDirectory: stateDirectory)
        c.adminGroup = o.adminGroup ?? env["AUTHD_ADMIN_GROUP"]
        c.metricsGroup = o.metricsGroup ?? env["AUTHD_METRICS_GROUP"]
        c.socketGroup = o.socketGroup ?? env["AUTHD_SOCKET_GROUP"]
        func number(_ given: Int?, _ name: String, _ range: ClosedRange<Int>, _ current: Int) throws -> Int {
            guard let value = try given ?? env[name].map({ text in
                guard let n = Int(text) else { throw ConfigurationError("\(name) must be a whole number, got '\(text)'") }
                return n
            }) else { return current }
            guard range.contains(value) else {
                throw ConfigurationError("\(name) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            }
            return value
        }
        c.maxRequestBytes = try number(o.maxRequestBytes, "AUTHD_MAX_REQUEST_BYTES", 256...(64 << 20), c.maxRequestBytes)
        c.idleTimeout = try number(o.idleTimeout, "AUTHD_IDLE_TIMEOUT", 1...86_400, c.idleTimeout)
        c.maxConnections = try number(o.maxConnections, "AUTHD_MAX_CONNECTIONS", 1...1_000_000, c.maxConnections)
        c.bcryptCost = try number(o.bcryptCost, "AUTHD_BCRYPT_COST", 4...31, c.bcryptCost)
        c.tokenLifetime = try number(o.tokenLifetime, "AUTHD_TOKEN_LIFETIME", 10...(366 * 86_400), c.tokenLifetime)
        c.hashThreads = try number(o.hashThreads, "AUTHD_HASH_THREADS", 1...256, c.hashThreads)
        c.hashQueueLimit = try number(o.hashQueueLimit, "AUTHD_HASH_QUEUE_LIMIT", 1...100_000, c.hashQueueLimit)
        c.storageConnections = try number(o.storageConnections, "AUTHD_STORAGE_CONNECTIONS", 1...256, c.storageConnections)
        c.storageTimeout = try number(o.storageTimeout, "AUTHD_STORAGE_TIMEOUT", 1...300, c.storageTimeout)
        c.throttle.accountLimit = try number(o.loginAccountLimit, "AUTHD_LOGIN_ACCOUNT_LIMIT", 1...10_000, c.throttle.accountLimit)
        c.throttle.clientLimit = try number(o.loginClientLimit, "AUTHD_LOGIN_CLIENT_LIMIT", 1...1_000_000, c.throttle.clientLimit)
        c.throttle.window = try number(o.loginWindow, "AUTHD_LOGIN_WINDOW", 1...86_400, c.throttle.window)
        c.throttle.backoff = try number(o.loginBackoff, "AUTHD_LOGIN_BACKOFF", 1...86_400, c.throttle.backoff)
        if let level = o.logLevel ?? env["AUTHD_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("log level must be one of trace, debug, info, notice, warning, error, critical")
            }
            c.logLevel = parsed
        }
        c.jwtSecret = env["JWT_SECRET_KEY"]
        c.credentialsDirectory = env["CREDENTIALS_DIRECTORY"]
        return c
    }

}

/// The brute-force settings as configured (the rules themselves are the domain's `LoginThrottle`).
public struct LoginThrottleSettings: Sendable {
    public var accountLimit = 5
    public var clientLimit = 50
    public var window = 900
    public var backoff = 2
}

extension DaemonConfiguration {
    /// Where users are kept.
    public enum Database: Sendable, Equatable, CustomStringConvertible {
        /// An SQLite file.
        case sqlite(String)
        /// A libpq connection string (URL or key=value words), passed through untouched.
        case postgres(String)

        /// `sqlite:PATH`, SQLAlchemy's `sqlite:///relative` and `sqlite:////absolute`, a bare
        /// path, `postgresql://…` / `postgres://…` URLs, or libpq's `host=… dbname=…` words.
        public init(url: String) throws {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                self = .postgres(url)
                return
            }
            // libpq's keyword form starts with `word=`.
            if let eq = url.firstIndex(of: "="), !url[..<eq].isEmpty,
               url[..<eq].allSatisfy({ $0.isLetter || $0 == "_" }) {
                self = .postgres(url)
                return
            }
            var path = url
            if path.hasPrefix("sqlite:///") {
                path = String(path.dropFirst("sqlite:///".count))
            } else if path.hasPrefix("sqlite://") {
                path = String(path.dropFirst("sqlite://".count))
            } else if path.hasPrefix("sqlite:") {
                path = String(path.dropFirst("sqlite:".count))
            } else if path.contains("://") {
                throw ConfigurationError("unsupported database URL scheme '\(url.prefix(while: { $0 != ":" }))'; use sqlite:PATH or postgresql://…")
            }
            guard !path.isEmpty else { throw ConfigurationError("the database URL names no file") }
            self = .sqlite(path)
        }

        /// For logs: the SQLite path, or where PostgreSQL is, never a password.
        public var description: String {
            switch self {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgres: "postgresql"
            }
        }
    }
}
