/// The schema, as numbered steps recorded in `schema_migrations`.
/// A step, once released, never changes: new needs get a new step.
enum SQLiteMigrations {
    static let steps: [(version: Int64, sql: String)] = [
        (1, """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            username TEXT NOT NULL,
            email TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            tokens_valid_after INTEGER NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX users_username_key ON users (username COLLATE NOCASE);
        CREATE UNIQUE INDEX users_email_key ON users (email COLLATE NOCASE);
        CREATE TABLE revoked_tokens (
            jti TEXT PRIMARY KEY,
            expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
        """),
        (2, """
        CREATE TABLE login_failures (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            failures INTEGER NOT NULL,
            window_start INTEGER NOT NULL,
            locked_until INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (scope, key)
        ) WITHOUT ROWID;
        """),
    ]

    static var latest: Int64 { steps.last!.version }

    /// Brings the database to the latest version; refuses one newer than this build knows.
    static func run(on db: SQLiteConnection, now: Int64) throws {
        try db.writeTransaction {
            try db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
            let current = try db.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").first?.int("v") ?? 0
            if current > latest {
                throw SchemaTooNew(found: current, known: latest)
            }
            for step in steps where step.version > current {
                try db.execute(step.sql)
                try db.query("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", [.integer(step.version), .integer(now)])
            }
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
