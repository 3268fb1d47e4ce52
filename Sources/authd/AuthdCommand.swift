import ArgumentParser
import AuthDaemon
import Foundation
import Logging

/// authd: holds user accounts and answers authentication requests on a Unix socket.
@main
struct AuthdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "Authentication daemon: JSON-RPC 2.0 over a Unix socket.",
        discussion: "Every option can also be set in the environment (or a .env file) under the name shown.",
        version: authdVersion)

    @Option(help: "Unix socket path (AUTHD_SOCKET).") var socket: String?
    @Option(help: "Database URL, sqlite:PATH (AUTHD_DATABASE_URL, DATABASE_URL).") var database: String?
    @Option(help: "Group whose members are privileged peers (AUTHD_ADMIN_GROUP).") var adminGroup: String?
    @Option(help: "Group owning a socket authd binds itself (AUTHD_SOCKET_GROUP).") var socketGroup: String?
    @Option(help: "Longest request line in bytes (AUTHD_MAX_REQUEST_BYTES, default 1048576).") var maxRequestBytes: Int?
    @Option(help: "Seconds before an idle connection is closed (AUTHD_IDLE_TIMEOUT, default 60).") var idleTimeout: Int?
    @Option(help: "Most connections at once (AUTHD_MAX_CONNECTIONS, default 1024).") var maxConnections: Int?
    @Option(help: "bcrypt cost for new hashes (AUTHD_BCRYPT_COST, default 12).") var bcryptCost: Int?
    @Option(help: "Access token lifetime in seconds (AUTHD_TOKEN_LIFETIME, default 3600).") var tokenLifetime: Int?
    @Option(help: "Password hashing threads (AUTHD_HASH_THREADS, default: the cores).") var hashThreads: Int?
    @Option(help: "Password hashes that may wait; beyond, -32050 (AUTHD_HASH_QUEUE_LIMIT, default 256).") var hashQueueLimit: Int?
    @Option(help: "trace, debug, info, notice, warning, error or critical (AUTHD_LOG_LEVEL, default info).") var logLevel: String?

    func run() async throws {
        var o = DaemonConfiguration.Overrides()
        (o.socket, o.database, o.adminGroup, o.socketGroup) = (socket, database, adminGroup, socketGroup)
        (o.maxRequestBytes, o.idleTimeout, o.maxConnections) = (maxRequestBytes, idleTimeout, maxConnections)
        (o.bcryptCost, o.tokenLifetime, o.hashThreads, o.hashQueueLimit, o.logLevel) = (bcryptCost, tokenLifetime, hashThreads, hashQueueLimit, logLevel)
        do {
            let config = try DaemonConfiguration.resolve(o, environment: DotEnv.load(over: ProcessInfo.processInfo.environment))
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = config.logLevel
                return handler
            }
            try await Daemon.run(config, logger: Logger(label: "authd"))
        } catch {
            // Not a usage error: say what is wrong, once, and exit with EX_CONFIG
            // (78), which systemd units treat as "do not restart in a loop".
            FileHandle.standardError.write(Data("authd: \(error)\n".utf8))
            throw ExitCode(78)
        }
    }
}
