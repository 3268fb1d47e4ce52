import AuthStore
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
public final class SQLiteConnection: SQLConnection {
    private var db: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, busyTimeoutMilliseconds: Int32 = 5000, readOnly: Bool = false) throws {
        // A symlink planted at the path is refused rather than followed (issue #13, item 6).
        let access = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let flags = access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message)
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    /// SQLite's online backup of `source` into the (empty) file `destination`, all pages in one
    /// step, synced to disk; the number of pages.
    static func backup(from source: String, to destination: String) throws -> Int {
        let from = try SQLiteConnection(path: source, readOnly: true)
        let to = try SQLiteConnection(path: destination)
        guard let backup = sqlite3_backup_init(to.db, "main", from.db, "main") else { throw to.error(0) }
        let rc = sqlite3_backup_step(backup, -1)
        let pages = Int(sqlite3_backup_pagecount(backup))
        sqlite3_backup_finish(backup)
        guard rc == SQLITE_DONE else { throw to.error(rc) }
        // The copy is a file of its own: no WAL beside it, and on disk before it is renamed into place.
        try to.execute("PRAGMA journal_mode = DELETE")
        return pages
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(db)
    }

    private func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
    }

    /// Runs SQL that returns no rows (several statements allowed).
    public func execute(_ sql: String) throws {
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
    public func query(_ sql: String, _ parameters: [SQLValue]) throws -> [SQLRow] {
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
            // The byte count, not -1: with -1 SQLite stops at the first NUL.
            case .text(let s): sqlite3_bind_text(statement, i, s, Int32(s.utf8.count), csqlite_transient())
            }
            guard rc == SQLITE_OK else { throw error(rc) }
        }
        var rows: [SQLRow] = []
        let columnCount = sqlite3_column_count(statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw error(rc) }
            var row = SQLRow()
            for c in 0..<columnCount {
                let name = String(cString: sqlite3_column_name(statement, c))
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: row.values[name] = .integer(sqlite3_column_int64(statement, c))
                case SQLITE_NULL: row.values[name] = .null
                default:
                    // By its byte count, like the binding: a NUL inside the text is kept.
                    let text = sqlite3_column_text(statement, c)
                    let count = Int(sqlite3_column_bytes(statement, c))
                    row.values[name] = .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs `body` in a transaction that takes the write lock at once (BEGIN IMMEDIATE),
    /// so that check-then-insert sequences cannot interleave.
    /// In WAL mode, NORMAL syncs at checkpoints only; the next FULL commit syncs it too.
    public func relaxedWriteTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("PRAGMA synchronous = NORMAL")
        defer { try? execute("PRAGMA synchronous = FULL") }
        return try writeTransaction(body)
    }

    public func writeTransaction<T>(_ body: () throws -> T) throws -> T {
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

    /// This process is the file's only writer (its flock says so): nobody to tell.
    public func write<T>(announcing change: (T) -> StoreChange?, _ body: () throws -> T) throws -> T {
        try body()
    }

    public func announce(_ change: StoreChange) throws {}
    public func relaxedWrite<T>(announcing change: (T) -> StoreChange?, _ body: () throws -> T) throws -> T {
        try relaxedWriteTransaction(body)
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
