/// A database's schema as numbered steps, recorded in `schema_migrations`; the drivers
/// hold the same versions, each in its own DDL. A step, once released, never changes:
/// new needs get a new step.
public struct Schema: Sendable {
    public let steps: [(version: Int64, sql: String)]
    /// The DDL of `schema_migrations` (version, applied_at), created if missing.
    public let migrationsTable: String
    /// A statement run first in the migration's transaction, so that daemons starting
    /// together do not race (PostgreSQL's advisory lock); nil where one writer is the rule.
    public let lock: String?

    public init(steps: [(version: Int64, sql: String)], migrationsTable: String, lock: String? = nil) {
        self.steps = steps
        self.migrationsTable = migrationsTable
        self.lock = lock
    }

    /// The version this build migrates to.
    public var latest: Int64 { steps.last?.version ?? 0 }

    /// Brings the database to the latest version inside one write transaction and returns
    /// it; refuses a database newer than this build knows.
    public func migrate(_ db: some SQLConnection, dialect: some SQLDialect, now: Int64) throws -> Int64 {
        try db.writeTransaction {
            if let lock { try db.execute(lock) }
            try db.execute(migrationsTable)
            let current = try db.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations", []).first?.int("v") ?? 0
            if current > latest {
                throw SchemaTooNew(found: current, known: latest)
            }
            let record = "INSERT INTO schema_migrations (version, applied_at) VALUES "
                + "(\(dialect.placeholder(1)), \(dialect.timestamp(epochSeconds: dialect.placeholder(2))))"
            for step in steps where step.version > current {
                try db.execute(step.sql)
                try db.query(record, [.integer(step.version), .integer(now)])
            }
            return latest
        }
    }
}

/// The database was migrated by a newer authd; serving it could corrupt it.
public struct SchemaTooNew: Error, CustomStringConvertible {
    public let found: Int64
    public let known: Int64
    public var description: String {
        "the database schema is at version \(found), newer than this authd knows (\(known)); upgrade authd"
    }
}
