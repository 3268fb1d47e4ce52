import AuthInterface
import AuthJSON
import Foundation

/// The human-readable forms of the daemon's results; `--json` bypasses all of these.
enum Render {
    /// `id: 3`, `username: alice`, ... one field a line, in the contract's order, then the
    /// lockout fields `user show` adds for privileged callers (`-` for no lock).
    static func user(_ user: JSON) -> String {
        (["id", "username", "email", "created_at"] + (["failed_logins", "locked_until"] + statusFields).filter { user[$0] != nil })
            .map { "\($0): \(user[$0] == .null || user[$0] == [] ? "-" : list(user, $0))" }
            .joined(separator: "\n")
    }

    /// The members of `users.status` that `user show` adds for privileged callers.
    static let statusFields = ["disabled", "disabled_at", "disabled_reason", "groups", "sessions", "last_login_at", "mfa"]

    /// A member as `field` gives it, but a list of strings comma-separated.
    static func list(_ object: JSON, _ name: String) -> String {
        if let items = object[name]?.array { return items.map { $0.string ?? $0.text }.joined(separator: ",") }
        return field(object, name)
    }

    /// An aligned table, with a header for people (`legend`), so that reading and `awk` both work.
    static func table(_ users: [JSON], legend: Bool) -> String {
        let rows = users.map { user in ["id", "username", "email", "created_at"].map { field(user, $0) } }
        return aligned(rows, header: legend ? ["ID", "USERNAME", "EMAIL", "CREATED_AT"] : nil)
    }

    /// Rows in columns two blanks apart, under `header` when there is one.
    static func aligned(_ rows: [[String]], header: [String]?) -> String {
        let all = (header.map { [$0] } ?? []) + rows
        guard let first = all.first else { return "" }
        let widths = first.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
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

    /// `active: user 3 (alice), expires 2026-01-01T00:00:00Z`, or `inactive: revoked`.
    static func verification(_ result: JSON) -> String {
        guard result["active"] == .bool(true), let user = result["user"] else {
            // The contract's reasons are words, but for `no_user`.
            return result["reason"]?.string.map { "inactive: " + $0.replacingOccurrences(of: "_", with: " ") } ?? "inactive"
        }
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
