import AuthStore

extension SQLiteDriver {
    /// SQLite's DDL of the schema; the same versions as PostgreSQL's.
    static let schema = Schema(
        steps: [
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
            (3, """
            ALTER TABLE users ADD COLUMN unbound_tokens_valid_after INTEGER NOT NULL DEFAULT 0;
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at INTEGER NOT NULL,
                last_used_at INTEGER NOT NULL,
                idle_expires_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                access_until INTEGER NOT NULL,
                client TEXT,
                label TEXT,
                amr TEXT NOT NULL,
                session_token_hash TEXT UNIQUE,
                ended_at INTEGER,
                end_reason TEXT
            ) WITHOUT ROWID;
            CREATE INDEX sessions_user ON sessions (user_id, last_used_at);
            CREATE INDEX sessions_access_until ON sessions (access_until);
            CREATE TABLE refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                retired_at INTEGER,
                retired_client TEXT,
                successor_hash TEXT
            ) WITHOUT ROWID;
            CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
            """),
            (4, """
            ALTER TABLE users ADD COLUMN user_groups TEXT NOT NULL DEFAULT '';
            ALTER TABLE users ADD COLUMN disabled_at INTEGER;
            ALTER TABLE users ADD COLUMN disabled_reason TEXT;
            ALTER TABLE users ADD COLUMN last_login_at INTEGER;
            CREATE TABLE password_resets (
                user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                expires_at INTEGER NOT NULL
            );
            """),
            // Ids once a user's are never given again (an old token may still name one).
            (5, """
            CREATE TABLE deleted_user_ids (id INTEGER PRIMARY KEY);
            CREATE TRIGGER users_remember_deleted_id AFTER DELETE ON users
            BEGIN
                INSERT OR IGNORE INTO deleted_user_ids (id) VALUES (old.id);
            END;
            """),
            // Second factors (contract §9): the TOTP secret sealed under the MFA key, the
            // recovery codes as keyed hashes, logins waiting for their code, and the key's
            // fingerprint so that an instance given another key refuses to start.
            (6, """
            CREATE TABLE mfa_totp (
                user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                sealed_secret TEXT NOT NULL,
                confirmed INTEGER NOT NULL DEFAULT 0,
                pending_until INTEGER NOT NULL,
                last_step INTEGER
            );
            CREATE TABLE mfa_recovery_codes (
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                code_hash TEXT NOT NULL,
                PRIMARY KEY (user_id, code_hash)
            ) WITHOUT ROWID;
            CREATE TABLE mfa_challenges (
                token_hash TEXT PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                client TEXT NOT NULL,
                label TEXT,
                session_token INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                failures INTEGER NOT NULL DEFAULT 0
            ) WITHOUT ROWID;
            CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);
            CREATE INDEX mfa_challenges_expires_at ON mfa_challenges (expires_at);
            CREATE TABLE authd_meta (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        ],
        migrationsTable: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
}
