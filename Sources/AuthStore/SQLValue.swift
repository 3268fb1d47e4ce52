/// A value bound to a statement or read from a row: the few types the schema uses.
/// Booleans read as 1 and 0 on both databases (as SQLite has them).
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)

    /// Text, or NULL for nil (an update's "leave as it is").
    public init(_ text: String?) {
        self = text.map { .text($0) } ?? .null
    }

    /// An integer, or NULL for nil.
    public init(_ integer: Int64?) {
        self = integer.map { .integer($0) } ?? .null
    }
}

/// One result row, by column name.
public struct SQLRow: Sendable {
    public var values: [String: SQLValue]

    public init(values: [String: SQLValue] = [:]) {
        self.values = values
    }

    public func int(_ name: String) -> Int64? {
        if case .integer(let n) = values[name] { return n }
        return nil
    }

    public func text(_ name: String) -> String? {
        if case .text(let s) = values[name] { return s }
        return nil
    }
}
