import AuthCore
import AuthStore

/// The store on PostgreSQL, for production and several daemons on one database.
public typealias PostgresStore = SQLStore<PostgresDriver>

extension SQLStore where Driver == PostgresDriver {
    /// Where the pool's connections go (no password), for logs and STATUS=.
    public var endpoint: String { driver.endpoint }

    /// Connects once, migrates, and starts the pool and the change listener; throws as
    /// `PostgresDriver.init` does.
    public convenience init(conninfo: String, connections: Int, cacheUsers: Int = TokenStateCache.defaultUsers, queueLimit: Int = 1024,
                            timeout: Duration = .seconds(5)) throws {
        try self.init(driver: try PostgresDriver(conninfo: conninfo, timeout: timeout), connections: connections, queueLimit: queueLimit,
                  cacheUsers: cacheUsers)
    }
}

/// PostgreSQL could not be reached; worth retrying.
public struct PostgresUnavailable: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// PostgreSQL refused us (authentication, a missing database); retrying will not help.
public struct PostgresRefused: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
