import AuthCore
import AuthPostgres
import AuthSQLite
import AuthSystemd
import AuthThreads
import Logging
import UnixSignals

/// Opens the configured store. PostgreSQL that is not there yet is waited for,
/// with backoff, a one-line STATUS= and EXTEND_TIMEOUT_USEC=; PostgreSQL that refuses
/// us is an error.
enum StoreOpener {
    static func open(_ config: DaemonConfiguration, logger: Logger) async throws -> any UserStore {
        switch config.database {
        case .sqlite(let path):
            return try await SQLiteStore(path: path, connections: config.storageConnections, cacheUsers: config.cacheUsers)
        case .postgres(let conninfo):
            var delay = Duration.milliseconds(250)
            while true {
                do {
                    let store = try await onOwnThread("pg-open") {
                        try PostgresStore(conninfo: conninfo, connections: config.storageConnections, cacheUsers: config.cacheUsers,
                                          timeout: .seconds(Int64(config.storageTimeout)))
                    }
                    logger.info("connected to PostgreSQL at \(store.endpoint)")
                    let endpoint = store.endpoint
                    store.reportOutages { lost in
                        if let lost {
                            let line = lost.split(whereSeparator: \.isNewline).joined(separator: " ")
                            logger.warning("lost PostgreSQL at \(endpoint): \(line); requests get -32050 until it is back")
                        } else {
                            logger.notice("PostgreSQL at \(endpoint) answers again")
                        }
                    }
                    return store
                } catch let error as PostgresUnavailable {
                    // libpq's messages span lines; STATUS= is one. The start timeout is
                    // extended past the next attempt, so systemd does not kill a daemon
                    // that is only waiting.
                    let message = error.message.split(whereSeparator: \.isNewline).joined(separator: " ")
                    let extra = (delay + .seconds(10)).components.seconds * 1_000_000
                    Systemd.notify("STATUS=Waiting for PostgreSQL: \(message)\nEXTEND_TIMEOUT_USEC=\(extra)")
                    logger.warning("\(message); retrying in \(delay)")
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
        }
    }

    /// The exit status for an error that stops authd: EX_TEMPFAIL (75) when PostgreSQL
    /// could not be reached (`authd migrate` is worth running again), else EX_CONFIG (78),
    /// which systemd units treat as "do not restart in a loop".
    static func exitStatus(for error: any Error) -> Int32 {
        error is PostgresUnavailable ? 75 : 78
    }

    /// `open`, given up when SIGTERM or SIGINT arrives first (PostgreSQL may be waited for
    /// at length, and `systemctl stop` must not have to kill authd): nil then.
    static func openUnlessStopped(_ config: DaemonConfiguration, logger: Logger) async throws -> (any UserStore)? {
        let stops = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        return try await withThrowingTaskGroup(of: (any UserStore)?.self) { group in
            group.addTask { try await open(config, logger: logger) }
            group.addTask {
                for await _ in stops { return nil }
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    /// `authd backup PATH`: SQLite's online backup; PostgreSQL has pg_dump for that.
    static func backup(_ config: DaemonConfiguration, to path: String) async throws -> String {
        switch config.database {
        case .sqlite(let source):
            let pages = try await onOwnThread("backup") { try SQLiteDriver.backup(source, to: path) }
            return "backed up \(source) to \(path) (\(pages) pages)"
        case .postgres:
            throw ConfigurationError("authd backup copies a SQLite database; for PostgreSQL use pg_dump (see README, Backups)")
        }
    }

    /// Runs the migrations and returns the schema version (`authd migrate`).
    static func migrate(_ config: DaemonConfiguration) async throws -> Int64 {
        switch config.database {
        case .sqlite(let path):
            _ = try SQLiteDriver(path: path)
            return SQLiteDriver.schemaVersion
        case .postgres(let conninfo):
            return try await onOwnThread("pg-migrate") { try PostgresDriver.migrate(conninfo: conninfo) }
        }
    }
}
