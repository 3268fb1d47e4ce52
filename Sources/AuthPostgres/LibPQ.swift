import AuthStore
import CLibPQ

#if canImport(Glibc)
import Glibc
#endif

/// A failure reported by libpq or the server. `message` may name tables or values
/// and goes only to the log; `sqlState` and `constraint` are for decisions.
struct PGError: Error, CustomStringConvertible {
    let message: String
    var sqlState: String?
    var constraint: String?
    /// The connection itself is broken (not just this statement).
    var connectionLost = false

    var description: String { sqlState.map { "PostgreSQL error \($0): \(message)" } ?? "PostgreSQL: \(message)" }
}

/// libpq, loaded on first use (see CLibPQ/include/CLibPQ.h): a daemon on SQLite never loads it
/// or the twenty libraries it brings.
private enum LibPQ {
    static let loadError: String? = authd_libpq_load().map { String(cString: $0) }

    static func load() throws {
        if let loadError { throw LibPQUnavailable(reason: loadError) }
    }
}

/// libpq could not be loaded: no PostgreSQL URL can work on this machine, so authd
/// stops at start rather than wait for a database.
struct LibPQUnavailable: Error, CustomStringConvertible {
    let reason: String
    var description: String { "PostgreSQL needs libpq (libpq.so.5, Debian's libpq5 package): \(reason)" }
}

/// One libpq connection, used by one thread at a time. The only file that sees libpq.
public final class PGConnection: SQLConnection {
    private let conn: OpaquePointer
    /// Statements prepared on this connection, by their text and parameter types, each
    /// parsed and planned once instead of at every call (PostgreSQL plans one again by
    /// itself when the schema under it changes). At most `preparedLimit`; any statement
    /// beyond runs unnamed, as all did before.
    private var prepared: [PreparedKey: String] = [:]
    private var preparedNames = 0
    static let preparedLimit = 512

    private struct PreparedKey: Hashable {
        let sql: String
        let types: [Oid]
    }

    /// Connects with the caller's connection string (a URL or key=value words, passed
    /// through untouched); `defaults` apply only where the string does not say otherwise.
    init(_ conninfo: String, defaults: [(String, String)]) throws {
        try LibPQ.load()
        let keys = defaults.map(\.0) + ["dbname"]
        let values = defaults.map(\.1) + [conninfo]
        let cKeys = keys.map { strdup($0) } + [nil]
        let cValues = values.map { strdup($0) } + [nil]
        defer {
            cKeys.forEach { free($0) }
            cValues.forEach { free($0) }
        }
        let c = cKeys.map { UnsafePointer($0) }.withUnsafeBufferPointer { k in
            cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
                authd_PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let c else { throw PGError(message: "out of memory", connectionLost: true) }
        guard authd_PQstatus(c) == CONNECTION_OK else {
            let message = String(cString: authd_PQerrorMessage(c)).trimmingTrailingNewlines
            authd_PQfinish(c)
            throw PGError(message: message, connectionLost: true)
        }
        authd_PQhideNotices(c)
        conn = c
    }

    deinit { authd_PQfinish(conn) }

    var isHealthy: Bool { authd_PQstatus(conn) == CONNECTION_OK }

    /// Where this connection went: host, port and database (never a password).
    var endpoint: String {
        "\(String(cString: authd_PQhost(conn))):\(String(cString: authd_PQport(conn)))/\(String(cString: authd_PQdb(conn)))"
    }

    /// Runs one statement with its parameters ($1, $2, …), sent as text with their types
    /// (so the SQL needs no casts), and returns its rows by column name: integers and
    /// booleans (as 1 and 0) typed from the columns' types, the rest as text.
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [SQLRow] {
        var types: [Oid] = []
        var texts: [UnsafeMutablePointer<CChar>?] = []
        for parameter in parameters {
            switch parameter {
            case .null: types.append(0); texts.append(nil)
            case .integer(let n): types.append(PGType.int8); texts.append(strdup(String(n)))
            case .text(let s): types.append(PGType.text); texts.append(strdup(s))
            }
        }
        defer { texts.forEach { free($0) } }
        let name = try preparedName(sql, types)
        let result = types.withUnsafeBufferPointer { t in
            texts.map { UnsafePointer($0) }.withUnsafeBufferPointer { p in
                if let name {
                    authd_PQexecPrepared(conn, name, Int32(parameters.count), p.baseAddress, nil, nil, 0)
                } else {
                    authd_PQexecParams(conn, sql, Int32(parameters.count), t.baseAddress, p.baseAddress, nil, nil, 0)
                }
            }
        }
        defer { authd_PQclear(result) }
        let status = authd_PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let e = error(result)
            // "cached plan must not change result type": a table changed under a prepared
            // statement. Prepared again on the next call, under a new name.
            if e.sqlState == "0A000" { prepared.removeAll() }
            throw e
        }
        var rows: [SQLRow] = []
        let columns = authd_PQnfields(result)
        let names = (0..<columns).map { String(cString: authd_PQfname(result, $0)) }
        let columnTypes = (0..<columns).map { authd_PQftype(result, $0) }
        for r in 0..<authd_PQntuples(result) {
            var row = SQLRow()
            for c in 0..<columns where authd_PQgetisnull(result, r, c) == 0 {
                let text = String(cString: authd_PQgetvalue(result, r, c))
                row.values[names[Int(c)]] = PGType.value(text, columnTypes[Int(c)])
            }
            rows.append(row)
        }
        return rows
    }

    /// The name `sql` is prepared under with these parameter types, preparing it on first
    /// use; nil once the limit is reached (then it runs unnamed).
    private func preparedName(_ sql: String, _ types: [Oid]) throws -> String? {
        let key = PreparedKey(sql: sql, types: types)
        if let name = prepared[key] { return name }
        guard prepared.count < Self.preparedLimit else { return nil }
        preparedNames += 1
        let name = "authd_\(preparedNames)"
        let result = types.withUnsafeBufferPointer { authd_PQprepare(conn, name, sql, Int32(types.count), $0.baseAddress) }
        defer { authd_PQclear(result) }
        guard authd_PQresultStatus(result) == PGRES_COMMAND_OK else { throw error(result) }
        prepared[key] = name
        return name
    }

    /// Runs SQL without parameters, several statements allowed (migrations).
    public func execute(_ sql: String) throws {
        let result = authd_PQexec(conn, sql)
        defer { authd_PQclear(result) }
        let status = authd_PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw error(result) }
    }

    /// Runs `body` in a transaction (read committed: rows are locked as they are written).
    public func relaxedWriteTransaction<T>(_ body: () throws -> T) throws -> T {
        try writeTransaction {
            try query("SET LOCAL synchronous_commit = off")
            return try body()
        }
    }

    public func writeTransaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            if isHealthy { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    /// The change is announced with NOTIFY in the write's own transaction, so the other
    /// instances hear of it when, and only if, it commits.
    public func write<T>(announcing change: (T) -> StoreChange?, _ body: () throws -> T) throws -> T {
        try writeTransaction {
            let result = try body()
            if let change = change(result) { try announce(change) }
            return result
        }
    }

    public func announce(_ change: StoreChange) throws {
        try query("SELECT pg_notify($1, $2)", [.text(ChangeListener.channel), .text(ChangeListener.payload(change))])
    }

    public func relaxedWrite<T>(announcing change: (T) -> StoreChange?, _ body: () throws -> T) throws -> T {
        try relaxedWriteTransaction {
            let result = try body()
            if let change = change(result) { try announce(change) }
            return result
        }
    }

    private func error(_ result: OpaquePointer?) -> PGError {
        let message = result.flatMap { authd_PQresultErrorMessage($0) }.map { String(cString: $0) } ?? ""
        var e = PGError(message: (message.isEmpty ? String(cString: authd_PQerrorMessage(conn)) : message).trimmingTrailingNewlines)
        if let state = authd_PQresultErrorField(result, Int32(UInt8(ascii: "C"))) { e.sqlState = String(cString: state) }
        if let constraint = authd_PQresultErrorField(result, Int32(UInt8(ascii: "n"))) { e.constraint = String(cString: constraint) }
        e.connectionLost = !isHealthy || e.sqlState?.hasPrefix("08") == true || e.sqlState == "57P01"
        return e
    }

    /// The descriptor to poll for notifications.
    var socket: Int32 { authd_PQsocket(conn) }

    /// Reads what has arrived and returns the payloads of notifications on any channel.
    func notifications() throws -> [String] {
        guard authd_PQconsumeInput(conn) == 1 else {
            throw PGError(message: String(cString: authd_PQerrorMessage(conn)).trimmingTrailingNewlines, connectionLost: true)
        }
        var out: [String] = []
        while let n = authd_PQnotifies(conn) {
            out.append(String(cString: n.pointee.extra))
            authd_PQfreemem(n)
        }
        return out
    }

    /// host, port and database of a connection string, for messages; nil if it does not parse.
    static func describe(_ conninfo: String) -> String {
        guard (try? LibPQ.load()) != nil else { return "a PostgreSQL database" }
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = authd_PQconninfoParse(conninfo, &errorMessage) else {
            if let errorMessage { authd_PQfreemem(errorMessage) }
            return "an unparsable connection string"
        }
        defer { authd_PQconninfoFree(options) }
        var found: [String: String] = [:]
        var p = options
        while let keyword = p.pointee.keyword {
            if let value = p.pointee.val { found[String(cString: keyword)] = String(cString: value) }
            p += 1
        }
        let host = found["host"] ?? found["hostaddr"] ?? "the default host"
        let db = found["dbname"] ?? found["user"] ?? "the default database"
        return "database \(db) on \(host)\(found["port"].map { " port \($0)" } ?? "")"
    }
}

/// The type OIDs (pg_type.h) a row's values are read by and parameters are sent as.
private enum PGType {
    static let bool: Oid = 16
    static let int8: Oid = 20
    static let int2: Oid = 21
    static let int4: Oid = 23
    static let text: Oid = 25

    static func value(_ text: String, _ type: Oid) -> SQLValue {
        switch type {
        case int8, int4, int2: Int64(text).map { .integer($0) } ?? .text(text)
        case bool: .integer(text == "t" ? 1 : 0)
        default: .text(text)
        }
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var s = self
        while s.last == "\n" { s.removeLast() }
        return s
    }
}
