import AuthCore
import AuthSettings
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Every setting of authd, declared once: `--help`, the environment and env-file names,
/// the errors, reload and the logs all read this table. A new option is a property here
/// (read as `config.newOption`) plus its row in the README.
public struct DaemonSettings: SettingsTable {
    public init() {}

    public let socket = Setting<String?>("socket", env: "AUTHD_SOCKET", value: "PATH", help: "Unix socket path",
        default: nil, defaultHelp: "/run/authd/authd.sock as root, else $XDG_RUNTIME_DIR/authd/authd.sock, else /tmp/authd-UID/authd.sock",
        parse: Parse.text)
    public let databaseURL = Setting<String?>("database", env: "AUTHD_DATABASE_URL", "DATABASE_URL", value: "URL",
        help: "sqlite:PATH, postgresql://… or libpq's host=… dbname=… words", default: nil,
        defaultHelp: "the state directory's authd.db", hidden: true, parse: Parse.text)
    public let adminGroup = Setting<String?>("admin-group", env: "AUTHD_ADMIN_GROUP", value: "NAME",
        help: "Group whose members are privileged peers", default: nil, privilege: true, reloadable: true, parse: Parse.text)
    public let metricsGroup = Setting<String?>("metrics-group", env: "AUTHD_METRICS_GROUP", value: "NAME",
        help: "Group whose members may also read system.metrics, e.g. the gateway's", default: nil, privilege: true,
        reloadable: true, parse: Parse.text)
    public let envFile = Setting<String?>("env-file", env: "AUTHD_ENV_FILE", value: "PATH",
        help: "File of KEY=value settings, read at start and on SIGHUP", default: nil, parse: Parse.text)
    public let socketGroup = Setting<String?>("socket-group", env: "AUTHD_SOCKET_GROUP", value: "NAME",
        help: "Group owning a socket authd binds itself", default: nil, privilege: true, parse: Parse.text)
    public let maxRequestBytes = Setting<Int>("max-request-bytes", env: "AUTHD_MAX_REQUEST_BYTES", value: "N",
        help: "Longest request line in bytes", default: 1 << 20, defaultHelp: "1048576", reloadable: true,
        parse: Parse.number(256...(64 << 20)))
    public let idleTimeout = Setting<Int>("idle-timeout", env: "AUTHD_IDLE_TIMEOUT", value: "SECONDS",
        help: "Seconds before an idle connection is closed", default: 60, defaultHelp: "60", reloadable: true,
        parse: Parse.number(1...86_400))
    public let maxConnections = Setting<Int>("max-connections", env: "AUTHD_MAX_CONNECTIONS", value: "N",
        help: "Most connections at once", default: 1024, defaultHelp: "1024", reloadable: true, parse: Parse.number(1...1_000_000))
    public let connectionsPerUID = Setting<Int>("connections-per-uid", env: "AUTHD_CONNECTIONS_PER_UID", value: "N",
        help: "Most connections one unprivileged uid may hold", default: 64, defaultHelp: "64", reloadable: true,
        parse: Parse.number(1...1_000_000))
    public let reservedConnections = Setting<Int>("reserved-connections", env: "AUTHD_RESERVED_CONNECTIONS", value: "N",
        help: "Connections of max-connections only privileged peers and the gateway's group may use", default: 16,
        defaultHelp: "16", reloadable: true, parse: Parse.number(0...1_000_000))
    public let bcryptCost = Setting<Int>("bcrypt-cost", env: "AUTHD_BCRYPT_COST", value: "N",
        help: "bcrypt cost for new hashes", default: 12, defaultHelp: "12", parse: Parse.number(4...31))
    public let importBcryptCostCap = Setting<Int?>("import-max-bcrypt-cost", env: "AUTHD_IMPORT_MAX_BCRYPT_COST", value: "N",
        help: "Highest bcrypt cost users.import accepts (sha-crypt rounds scale with it)", default: nil,
        defaultHelp: "the larger of --bcrypt-cost + 2 and 14", parse: { text throws(SettingError.Problem) in try Parse.number(4...31)(text) })
    public let allowWeakImport = Setting<Bool>("allow-weak-import", env: "AUTHD_ALLOW_WEAK_IMPORT", value: "yes|no",
        help: "Let users.import take DES and MD5 crypt hashes (re-hashed at the next login)", default: false, defaultHelp: "no",
        parse: Parse.yesNo)
    public let tokenLifetime = Setting<Int>("token-lifetime", env: "AUTHD_TOKEN_LIFETIME", value: "SECONDS",
        help: "Access token lifetime in seconds", default: 3600, defaultHelp: "3600", parse: Parse.number(10...(366 * 86_400)))
    public let sessionIdleTimeout = Setting<Int>("session-idle-timeout", env: "AUTHD_SESSION_IDLE_TIMEOUT", value: "SECONDS",
        help: "Seconds without a refresh or login after which a session ends", default: 7 * 86_400, defaultHelp: "604800 (7 days)",
        parse: Parse.number(1...(3660 * 86_400)))
    public let sessionLifetime = Setting<Int>("session-lifetime", env: "AUTHD_SESSION_LIFETIME", value: "SECONDS",
        help: "Seconds after its login at which a session ends however it is used", default: 30 * 86_400,
        defaultHelp: "2592000 (30 days)", parse: Parse.number(1...(3660 * 86_400)))
    public let refreshReuseInterval = Setting<Int>("refresh-reuse-interval", env: "AUTHD_REFRESH_REUSE_INTERVAL", value: "SECONDS",
        help: "Seconds in which the last retired refresh token, from the same client, gets the same new pair again",
        default: 10, defaultHelp: "10", parse: Parse.number(0...3600))
    public let maxSessionsPerUser = Setting<Int>("max-sessions-per-user", env: "AUTHD_MAX_SESSIONS_PER_USER", value: "N",
        help: "Sessions a user may have; a login past it ends the least recently used", default: 100, defaultHelp: "100",
        parse: Parse.number(1...100_000))
    public let freshWindow = Setting<Int>("fresh-window", env: "AUTHD_FRESH_WINDOW", value: "SECONDS",
        help: "Seconds a fresh token may change its own email or delete its user without current_password", default: 600,
        defaultHelp: "600", parse: Parse.number(0...86_400))
    public let registration = Setting<Registration>("registration", env: "AUTHD_REGISTRATION", value: "open|closed",
        help: "Whether unprivileged peers and the gateway may call auth.register", default: .open, defaultHelp: "open",
        reloadable: true, parse: Registration.parse)
    public let hashThreads = Setting<Int>("hash-threads", env: "AUTHD_HASH_THREADS", value: "N",
        help: "Password hashing threads", default: ProcessInfo.processInfo.activeProcessorCount, defaultHelp: "the cores",
        parse: Parse.number(1...256))
    public let hashQueueLimit = Setting<Int>("hash-queue-limit", env: "AUTHD_HASH_QUEUE_LIMIT", value: "N",
        help: "Password hashes that may wait; beyond, -32050", default: 256, defaultHelp: "256", parse: Parse.number(1...100_000))
    public let storageConnections = Setting<Int>("storage-connections", env: "AUTHD_STORAGE_CONNECTIONS", value: "N",
        help: "Database connections (SQLite readers or libpq connections)", default: 2 * ProcessInfo.processInfo.activeProcessorCount,
        defaultHelp: "twice the cores", parse: Parse.number(1...256))
    public let cacheUsers = Setting<Int>("cache-users", env: "AUTHD_CACHE_USERS", value: "N",
        help: "Users the token-state memory keeps, least recently used out first (about 250 bytes each)",
        default: TokenStateCache.defaultUsers, defaultHelp: "\(TokenStateCache.defaultUsers), about 64 MiB",
        parse: Parse.number(1...100_000_000))
    public let storageTimeout = Setting<Int>("storage-timeout", env: "AUTHD_STORAGE_TIMEOUT", value: "SECONDS",
        help: "Seconds a request waits for the database before -32050", default: 5, defaultHelp: "5", parse: Parse.number(1...300))
    public let loginAccountLimit = Setting<Int>("login-account-limit", env: "AUTHD_LOGIN_ACCOUNT_LIMIT", value: "N",
        help: "Failed logins per account and client before lockouts", default: 5, defaultHelp: "5", parse: Parse.number(1...10_000))
    public let loginAccountWideLimit = Setting<Int>("login-account-wide-limit", env: "AUTHD_LOGIN_ACCOUNT_WIDE_LIMIT", value: "N",
        help: "Failed logins per account from all clients before lockouts", default: 100, defaultHelp: "100",
        parse: Parse.number(1...1_000_000))
    public let loginClientLimit = Setting<Int>("login-client-limit", env: "AUTHD_LOGIN_CLIENT_LIMIT", value: "N",
        help: "Failed logins per client before lockouts", default: 50, defaultHelp: "50", parse: Parse.number(1...1_000_000))
    public let loginWindow = Setting<Int>("login-window", env: "AUTHD_LOGIN_WINDOW", value: "SECONDS",
        help: "Seconds in which failed logins are counted", default: 900, defaultHelp: "900", parse: Parse.number(1...86_400))
    public let loginBackoff = Setting<Int>("login-backoff", env: "AUTHD_LOGIN_BACKOFF", value: "SECONDS",
        help: "First lockout in seconds, doubling per failure", default: 2, defaultHelp: "2", parse: Parse.number(1...86_400))
    public let logLevel = Setting<Logger.Level>("log-level", env: "AUTHD_LOG_LEVEL", value: "LEVEL",
        help: "trace, debug, info, notice, warning, error or critical", default: .info, defaultHelp: "info", reloadable: true,
        parse: Parse.logLevel)
    /// Never an option: a secret on the command line is visible to every user in /proc.
    public let jwtSecret = Setting<Secret?>(nil, env: "JWT_SECRET_KEY", help: "The HS256 signing secret, at least 32 bytes",
        default: nil, defaultHelp: "the credential jwt-secret, else a key generated in the state directory", secret: true,
        parse: { text in Secret(text) })
    public let mfaIssuer = Setting<String?>("mfa-issuer", env: "AUTHD_MFA_ISSUER", value: "NAME",
        help: "The issuer authenticator apps show for authd's TOTP entries", default: nil, defaultHelp: "authd", parse: Parse.text)
    /// Never an option, like the signing secret.
    public let mfaKey = Setting<Secret?>(nil, env: "AUTHD_MFA_KEY", help: "The key TOTP secrets are encrypted under, 64 hex characters",
        default: nil, defaultHelp: "the credential mfa-key, else a key generated in the state directory", secret: true,
        parse: { text in Secret(text) })
}

/// `--registration`: closed, only privileged peers (not the gateway) may register.
public enum Registration: String, Sendable {
    case open, closed

    @Sendable static func parse(_ text: String) throws(SettingError.Problem) -> Registration {
        guard let value = Registration(rawValue: text) else { throw SettingError.Problem("must be open or closed") }
        return value
    }
}
