import AuthStore

extension PostgresDriver {
    /// PostgreSQL's DDL of the schema; the same versions as SQLite's. Migrations run
    /// under an advisory lock (an arbitrary constant naming authd's), so that daemons
    /// starting together do not race.
    static let schema = Schema(
        steps: [
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
            (3, """
            ALTER TABLE users ADD COLUMN unbound_tokens_valid_after BIGINT NOT NULL DEFAULT 0;
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT NOT NULL,
                idle_expires_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                access_until BIGINT NOT NULL,
                client TEXT,
                label TEXT,
                amr TEXT NOT NULL,
                session_token_hash TEXT UNIQUE,
                ended_at BIGINT,
                end_reason TEXT
            );
            CREATE INDEX sessions_user ON sessions (user_id, last_used_at);
            CREATE INDEX sessions_access_until ON sessions (access_until);
            CREATE TABLE refresh_tokens (
                token_hash TEXT PRIMARY KEY,
                session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                retired_at BIGINT,
                retired_client TEXT,
                successor_hash TEXT
            );
            CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
            """),
            (4, """
            ALTER TABLE users ADD COLUMN user_groups TEXT NOT NULL DEFAULT '';
            ALTER TABLE users ADD COLUMN disabled_at BIGINT;
            ALTER TABLE users ADD COLUMN disabled_reason TEXT;
            ALTER TABLE users ADD COLUMN last_login_at BIGINT;
            CREATE TABLE password_resets (
                user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                token_hash TEXT NOT NULL UNIQUE,
                expires_at BIGINT NOT NULL
            );
            """),
            // Ids once a user's are never given again (an old token may still name one), and
            // an import keeping ids moves the sequence past them, only ever up: the lock
            // excludes inserts, so no registration draws an id while it moves.
            (5, """
            CREATE TABLE deleted_user_ids (id BIGINT PRIMARY KEY);
            CREATE FUNCTION authd_remember_deleted_user_id() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO deleted_user_ids (id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
                RETURN OLD;
            END $$;
            CREATE TRIGGER users_remember_deleted_id AFTER DELETE ON users
                FOR EACH ROW EXECUTE FUNCTION authd_remember_deleted_user_id();
            CREATE FUNCTION authd_move_id_sequence(past BIGINT) RETURNS void LANGUAGE plpgsql AS $$
            DECLARE
                seq regclass := pg_get_serial_sequence('users', 'id')::regclass;
            BEGIN
                IF past > COALESCE(pg_sequence_last_value(seq), 0) THEN
                    LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE;
                    PERFORM setval(seq, GREATEST(past, COALESCE(pg_sequence_last_value(seq), 0)));
                END IF;
            END $$;
            """),
            // Second factors (contract §9): the TOTP secret sealed under the MFA key, the
            // recovery codes as keyed hashes, logins waiting for their code, and the key's
            // fingerprint so that an instance given another key refuses to start.
            (6, """
            CREATE TABLE mfa_totp (
                user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
                sealed_secret TEXT NOT NULL,
                confirmed INTEGER NOT NULL DEFAULT 0,
                pending_until BIGINT NOT NULL,
                last_step BIGINT
            );
            CREATE TABLE mfa_recovery_codes (
                user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                code_hash TEXT NOT NULL,
                PRIMARY KEY (user_id, code_hash)
            );
            CREATE TABLE mfa_challenges (
                token_hash TEXT PRIMARY KEY,
                user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                client TEXT NOT NULL,
                label TEXT,
                session_token INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                failures INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id);
            CREATE INDEX mfa_challenges_expires_at ON mfa_challenges (expires_at);
            CREATE TABLE authd_meta (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """),
        ],
        migrationsTable: """
            CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """,
        lock: "SELECT pg_advisory_xact_lock(7311642918113104)")
}
