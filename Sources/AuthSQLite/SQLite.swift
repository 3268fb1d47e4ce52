import CSQLite

/// A failure reported by SQLite; `message` may hold SQL or data and goes only to the log.
struct SQLiteError: Error, CustomStringConvertible {
    let code: Int32
    let message: String

    var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
    // SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY are macros Swift cannot import.
    var isUniqueViolation: Bool { code == SQLITE_CONSTRAINT | (8 << 8) || code == SQLITE_CONSTRAINT | (6 << 8) }
    var description: String { "SQLite error \(code): \(message)" }
}

/// One SQLite connection, used by one thread at a time. The only file that sees SQLite.
final class SQLiteConnection {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws {
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    private func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
    }

    /// Runs SQL that returns no rows (several statements allowed).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(db), message: text)
        }
    }

    /// Runs one statement with its parameters (bound as ?1, ?2, …) and returns every row.
    /// Statements are prepared once per connection and reused.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [SQLiteRow] {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (index, value) in parameters.enumerated() {
            let i = Int32(index + 1)
            let rc: Int32 = switch value {
            case .null: sqlite3_bind_null(statement, i)
            case .integer(let n): sqlite3_bind_int64(statement, i, n)
            case .text(let s): sqlite3_bind_text(statement, i, s, -1, csqlite_transient())
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
        var rows: [SQLiteRow] = []
        let columnCount = sqlite3_column_count(statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc) }
            var row = SQLiteRow()
            for c in 0..<columnCount {
                let name = String(cString: sqlite3_column_name(statement, c))
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: row.values[name] = .integer(sqlite3_column_int64(statement, c))
                case SQLITE_NULL: row.values[name] = .null
                default: row.values[name] = .text(String(cString: sqlite3_column_text(statement, c)))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs `body` in a transaction that takes the write lock at once (BEGIN IMMEDIATE),
    /// so that check-then-insert sequences cannot interleave.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let s = statements[sql] { return s }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc) }
        statements[sql] = statement
        return statement
    }
}

/// A value bound to or read from SQLite.
enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
}

/// One result row, by column name.
struct SQLiteRow: Sendable {
    var values: [String: SQLiteValue] = [:]

    func int(_ name: String) -> Int64? {
        if case .integer(let n) = values[name] { return n }
        return nil
    }

    func text(_ name: String) -> String? {
        if case .text(let s) = values[name] { return s }
        return nil
    }
}
