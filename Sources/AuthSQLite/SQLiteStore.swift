import AuthCore
import AuthStore

/// The store on the embedded SQLite default.
public typealias SQLiteStore = SQLStore<SQLiteDriver>

extension SQLStore where Driver == SQLiteDriver {
    /// Opens (creating if needed) the database at `path`, migrates it, and serves it
    /// through `connections` connections.
    public convenience init(path: String, connections: Int = 4, queueLimit: Int = 1024,
                            cacheUsers: Int = TokenStateCache.defaultUsers) async throws {
        try self.init(driver: try SQLiteDriver(path: path), connections: connections, queueLimit: queueLimit, cacheUsers: cacheUsers)
    }
}
