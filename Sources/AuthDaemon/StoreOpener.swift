import AuthCore
import AuthPostgres
import AuthSQLite
import AuthSystemd
import AuthThreads
import Logging

/// Opens the configured store. PostgreSQL that is not there yet is waited for,
/// with backoff and a STATUS= line; PostgreSQL that refuses us is an error.
enum StoreOpener {
    static func open(_ config: DaemonConfiguration, logger: Logger) async throws -> any UserStore {
        switch config.database {
        case .sqlite(let path):
            return try await SQLiteStore(path: path, connections: config.storageConnections)
        case .postgres(let conninfo):
            var delay = Duration.milliseconds(250)
            while true {
                do {
                    let store = try await onOwnThread("pg-open") {
                        try PostgresStore(conninfo: conninfo, connections: config.storageConnections,
                                          timeout: .seconds(Int64(config.storageTimeout)))
                    }
                    logger.info("connected to PostgreSQL at \(store.endpoint)")
                    return store
                } catch let error as PostgresUnavailable {
                    Systemd.notify("STATUS=Waiting for PostgreSQL: \(error.message)")
                    logger.warning("\(error.message); retrying in \(delay)")
                    try await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(5))
                }
            }
        }
    }

    /// Runs the migrations and returns the schema version (`authd migrate`).
    static func migrate(_ config: DaemonConfiguration) async throws -> Int64 {
        switch config.database {
        case .sqlite(let path):
            _ = try await SQLiteStore(path: path, connections: 1)
            return SQLiteStore.schemaVersion
        case .postgres(let conninfo):
            return try await onOwnThread("pg-migrate") { try PostgresStore.migrate(conninfo: conninfo) }
        }
    }
}
