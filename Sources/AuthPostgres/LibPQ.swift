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
final class PGConnection {
    private let conn: OpaquePointer

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
        conn = c
    }

    deinit { authd_PQfinish(conn) }

    var isHealthy: Bool { authd_PQstatus(conn) == CONNECTION_OK }

    /// Where this connection went: host, port and database (never a password).
    var endpoint: String {
        "\(String(cString: authd_PQhost(conn))):\(String(cString: authd_PQport(conn)))/\(String(cString: authd_PQdb(conn)))"
    }

    /// Runs one statement with text parameters ($1, $2, …) and returns its rows by column name.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?] = []) throws -> [PGRow] {
        let cParams = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { cParams.forEach { free($0) } }
        let result = cParams.map { UnsafePointer($0) }.withUnsafeBufferPointer { p in
            authd_PQexecParams(conn, sql, Int32(parameters.count), nil, p.baseAddress, nil, nil, 0)
        }
        defer { authd_PQclear(result) }
        let status = authd_PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw error(result) }
        var rows: [PGRow] = []
        let columns = authd_PQnfields(result)
        let names = (0..<columns).map { String(cString: authd_PQfname(result, $0)) }
        for r in 0..<authd_PQntuples(result) {
            var row = PGRow()
            for c in 0..<columns where authd_PQgetisnull(result, r, c) == 0 {
                row.values[names[Int(c)]] = String(cString: authd_PQgetvalue(result, r, c))
            }
            rows.append(row)
        }
        return rows
    }

    /// Runs SQL without parameters, several statements allowed (migrations).
    func execute(_ sql: String) throws {
        let result = authd_PQexec(conn, sql)
        defer { authd_PQclear(result) }
        let status = authd_PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else { throw error(result) }
    }

    /// Runs `body` in a transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T {
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

/// One result row, by column name; NULL columns are absent.
struct PGRow {
    var values: [String: String] = [:]

    func int(_ name: String) -> Int64? { values[name].flatMap { Int64($0) } }
    func text(_ name: String) -> String? { values[name] }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var s = self
        while s.last == "\n" { s.removeLast() }
        return s
    }
}
