import ArgumentParser
import AuthDaemon
import AuthSystemd
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif
import Logging

/// The options of every subcommand; each falls back to the environment and `.env`.
struct DaemonOptions: ParsableArguments {
    @Option(help: "Unix socket path (AUTHD_SOCKET).") var socket: String?
    @Option(help: "sqlite:PATH or postgresql://… (AUTHD_DATABASE_URL, DATABASE_URL).") var database: String?
    @Option(help: "Group whose members are privileged peers (AUTHD_ADMIN_GROUP).") var adminGroup: String?
    @Option(help: "Group whose members may also read system.metrics, e.g. the gateway's (AUTHD_METRICS_GROUP).") var metricsGroup: String?
    @Option(help: "File of KEY=value settings, read at start and on SIGHUP (AUTHD_ENV_FILE).") var envFile: String?
    @Option(help: "Group owning a socket authd binds itself (AUTHD_SOCKET_GROUP).") var socketGroup: String?
    @Option(help: "Longest request line in bytes (AUTHD_MAX_REQUEST_BYTES, default 1048576).") var maxRequestBytes: Int?
    @Option(help: "Seconds before an idle connection is closed (AUTHD_IDLE_TIMEOUT, default 60).") var idleTimeout: Int?
    @Option(help: "Most connections at once (AUTHD_MAX_CONNECTIONS, default 1024).") var maxConnections: Int?
    @Option(help: "bcrypt cost for new hashes (AUTHD_BCRYPT_COST, default 12).") var bcryptCost: Int?
    @Option(help: "Access token lifetime in seconds (AUTHD_TOKEN_LIFETIME, default 3600).") var tokenLifetime: Int?
    @Option(help: "Password hashing threads (AUTHD_HASH_THREADS, default: the cores).") var hashThreads: Int?
    @Option(help: "Password hashes that may wait; beyond, -32050 (AUTHD_HASH_QUEUE_LIMIT, default 256).") var hashQueueLimit: Int?
    @Option(help: "Database connections (AUTHD_STORAGE_CONNECTIONS, default: twice the cores).") var storageConnections: Int?
    @Option(help: "Seconds a request waits for the database before -32050 (AUTHD_STORAGE_TIMEOUT, default 5).") var storageTimeout: Int?
    @Option(help: "Failed logins per account before lockouts (AUTHD_LOGIN_ACCOUNT_LIMIT, default 5).") var loginAccountLimit: Int?
    @Option(help: "Failed logins per client before lockouts (AUTHD_LOGIN_CLIENT_LIMIT, default 50).") var loginClientLimit: Int?
    @Option(help: "Seconds in which failed logins are counted (AUTHD_LOGIN_WINDOW, default 900).") var loginWindow: Int?
    @Option(help: "First lockout in seconds, doubling per failure (AUTHD_LOGIN_BACKOFF, default 2).") var loginBackoff: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (AUTHD_LOG_LEVEL, default info).") var logLevel: String?

    /// The configuration these options, the environment, the env file and `.env` describe;
    /// logging set up to match.
    func configuration() throws -> DaemonConfiguration {
        Systemd.unblockControlSignals()
        let config = try DaemonConfiguration.load(overrides())
        DaemonLogging.bootstrap(level: config.logLevel, environment: ProcessInfo.processInfo.environment)
        return config
    }

    /// What the command line says, to be resolved again on SIGHUP.
    func overrides() -> DaemonConfiguration.Overrides {
        var o = DaemonConfiguration.Overrides()
        (o.socket, o.database, o.adminGroup, o.socketGroup) = (socket, database, adminGroup, socketGroup)
        (o.metricsGroup, o.envFile) = (metricsGroup, envFile)
        (o.maxRequestBytes, o.idleTimeout, o.maxConnections) = (maxRequestBytes, idleTimeout, maxConnections)
        (o.bcryptCost, o.tokenLifetime, o.hashThreads, o.hashQueueLimit) = (bcryptCost, tokenLifetime, hashThreads, hashQueueLimit)
        (o.storageConnections, o.storageTimeout, o.logLevel) = (storageConnections, storageTimeout, logLevel)
        (o.loginAccountLimit, o.loginClientLimit, o.loginWindow, o.loginBackoff) = (loginAccountLimit, loginClientLimit, loginWindow, loginBackoff)
        return o
    }

    /// Runs `body`; a failure is said once on stderr and exits with EX_CONFIG (78),
    /// which systemd units treat as "do not restart in a loop". Not a usage error.
    static func reportingFailure(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            var line = "authd: \(error)\n"
            line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
            throw ExitCode(78)
        }
    }
}
