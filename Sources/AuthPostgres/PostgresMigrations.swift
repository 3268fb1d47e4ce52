/// The schema, as numbered steps recorded in `schema_migrations`; the same versions
/// as the SQLite store's. A released step never changes.
enum PostgresMigrations {
    static let steps: [(version: Int64, sql: String)] = [
        (1, """
        CREATE TABLE users (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            username TEXT NOT NULL,
            email TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at TIMESTAMPTZ NOT NULL,
            tokens_valid_after BIGINT NOT NULL DEFAULT 0
        );
        CREATE UNIQUE INDEX users_username_key ON users (lower(username));
        CREATE UNIQUE INDEX users_email_key ON users (lower(email));
        CREATE TABLE revoked_tokens (
            jti TEXT PRIMARY KEY,
            expires_at BIGINT NOT NULL
        );
        CREATE INDEX revoked_tokens_expires_at ON revoked_tokens (expires_at);
        """),
        (2, """
        CREATE TABLE login_failures (
            scope TEXT NOT NULL,
            key TEXT NOT NULL,
            failures INTEGER NOT NULL,
            window_start BIGINT NOT NULL,
            locked_until BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (scope, key)
        );
        """),
    ]

    static var latest: Int64 { steps.last!.version }

    /// An arbitrary constant naming authd's migration lock.
    static let advisoryLock = "7311642918113104"

    /// Brings the database to the latest version inside one transaction, under an
    /// advisory lock so that daemons starting together do not race; refuses a
    /// database newer than this build knows.
    static func run(on db: PGConnection) throws -> Int64 {
        try db.transaction {
            try db.query("SELECT pg_advisory_xact_lock(\(advisoryLock))")
            try db.query("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            let current = try db.query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations").first?.int("v") ?? 0
            if current > latest {
                throw SchemaTooNewError(found: current, known: latest)
            }
            for step in steps where step.version > current {
                try db.execute(step.sql)
                try db.query("INSERT INTO schema_migrations (version) VALUES ($1::bigint)", [String(step.version)])
            }
            return latest
        }
    }
}

/// The database was migrated by a newer authd; serving it could corrupt it.
public struct SchemaTooNewError: Error, CustomStringConvertible {
    public let found: Int64
    public let known: Int64
    public var description: String {
        "the database schema is at version \(found), newer than this authd knows (\(known)); upgrade authd"
    }
}
