import AuthInterface
import AuthJSON
import Foundation

/// The human-readable forms of the daemon's results; `--json` bypasses all of these.
enum Render {
    /// `id: 3`, `username: alice`, ... one field a line, in the contract's order.
    static func user(_ user: JSON) -> String {
        ["id", "username", "email", "created_at"]
            .map { "\($0): \(field(user, $0))" }
            .joined(separator: "\n")
    }

    /// An aligned table with a header, so `column`-style reading and `awk` both work.
    static func table(_ users: [JSON]) -> String {
        let header = ["ID", "USERNAME", "EMAIL", "CREATED_AT"]
        let rows = users.map { user in ["id", "username", "email", "created_at"].map { field(user, $0) } }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                // The last column is not padded, so lines carry no trailing blanks.
                column == row.count - 1 ? row[column] : pad(row[column], to: widths[column])
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `ok (storage sqlite, version 1.0.0, up 42 s)`.
    static func health(_ result: JSON) -> String {
        "\(field(result, "status")) (storage \(field(result, "storage")), version \(field(result, "version")), "
            + "up \(field(result, "uptime_s")) s)"
    }

    /// `active: user 3 (alice), expires 2026-01-01T00:00:00Z`, or `inactive`.
    static func verification(_ result: JSON) -> String {
        guard result["active"] == .bool(true), let user = result["user"] else { return "inactive" }
        var line = "active: user \(field(user, "id")) (\(field(user, "username")))"
        if let exp = result["claims"]?["exp"]?.int64 {
            line += ", expires \(RFC3339.format(Date(timeIntervalSince1970: TimeInterval(exp))))"
        }
        return line
    }

    /// A member as plain text: strings without quotes, anything else as its JSON.
    static func field(_ object: JSON, _ name: String) -> String {
        switch object[name] {
        case .string(let s)?: s
        case let value?: value.text
        case nil: ""
        }
    }

    private static func pad(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
