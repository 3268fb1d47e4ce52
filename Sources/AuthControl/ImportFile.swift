import Foundation
import AuthJSON

/// One user to import: where it came from, a name to report it by, and the params for
/// users.import, or why the row could not even be read.
struct ImportRow {
    enum Content {
        case params([String: JSON])
        case unreadable(String)
    }

    /// The line the row starts on, counting from 1.
    var line: Int
    /// The row's username, or `line N` when it has none.
    var name: String
    var content: Content
}

/// Reads an import file: JSON lines, or CSV with a header, told apart by the first
/// non-blank character (`{` for JSON lines).
enum ImportFile {
    static let columns = ["username", "email", "password_hash", "created_at"]

    static func rows(_ text: String) throws(ControlError) -> [ImportRow] {
        // A byte order mark, as spreadsheet programs write, is not part of the header.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let first = text.unicodeScalars.first { !$0.properties.isWhitespace }
        return first == "{" ? jsonLines(text) : try csv(text)
    }

    /// One object a line; the four columns are passed on as they are, so the daemon reports
    /// a wrong type the same way it would for any caller.
    static func jsonLines(_ text: String) -> [ImportRow] {
        var rows: [ImportRow] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            let number = index + 1
            let json: JSON
            do {
                json = try JSONParser.parse(String(line))
            } catch {
                rows.append(ImportRow(line: number, name: "line \(number)", content: .unreadable("not JSON: \(error.message)")))
                continue
            }
            guard case .object(let object) = json else {
                rows.append(ImportRow(line: number, name: "line \(number)", content: .unreadable("not a JSON object")))
                continue
            }
            let params = object.filter { columns.contains($0.key) }
            rows.append(ImportRow(line: number, name: object["username"]?.string ?? "line \(number)", content: .params(params)))
        }
        return rows
    }

    /// A header naming the columns in the contract's order, then one user a record. An empty
    /// `created_at` means "now", as a missing one does.
    static func csv(_ text: String) throws(ControlError) -> [ImportRow] {
        var records = CSVReader.records(text)[...]
        guard let header = records.popFirst() else { return [] }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard names == Array(columns.prefix(3)) || names == columns else {
            throw .usage("the CSV header must be username,email,password_hash[,created_at], not \(names.joined(separator: ","))")
        }
        return records.map { record in
            let name = record.fields.first.flatMap { $0.isEmpty ? nil : $0 } ?? "line \(record.line)"
            guard record.fields.count == names.count else {
                return ImportRow(line: record.line, name: name,
                                 content: .unreadable("expected \(names.count) fields, found \(record.fields.count)"))
            }
            var params: [String: JSON] = [:]
            for (column, value) in zip(names, record.fields) where !(column == "created_at" && value.isEmpty) {
                params[column] = .string(value)
            }
            return ImportRow(line: record.line, name: name, content: .params(params))
        }
    }
}
