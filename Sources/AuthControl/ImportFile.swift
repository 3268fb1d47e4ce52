import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

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

/// Reads an import file a row at a time: JSON lines, or CSV with a header, told apart by
/// the first non-blank character (`{` for JSON lines). The columns are those `authctl user
/// export` writes (`columns`); any other is refused rather than dropped.
final class ImportFile {
    /// What import reads and export writes, in export's order. In CSV, `groups` and
    /// `recovery_code_hashes` are separated by commas (the field quoted), an empty
    /// `disabled_at` means enabled, and an empty `totp_secret` no second factor.
    static let columns = [ParamSpec.id, .username, .email, .passwordHash, .createdAt, .groups, .disabledAt, .disabledReason,
                          .totpSecret, .recoveryCodeHashes].map(\.name)
    /// Columns whose empty CSV field means "absent": the next id, now, enabled, no reason, no factor.
    static let emptyMeansAbsent = Set([ParamSpec.id, .createdAt, .disabledAt, .disabledReason, .totpSecret, .recoveryCodeHashes].map(\.name))
    /// Columns of lists, comma-separated in one CSV field.
    static let listColumns = Set([ParamSpec.groups, .recoveryCodeHashes].map(\.name))
    static let requiredColumns = [ParamSpec.username, .email, .passwordHash].map(\.name)

    private let lines: LineReader
    private var format: Format?
    private enum Format {
        case jsonLines
        case csv(header: [String], reader: CSVReader)
    }

    /// Whether the rows carry ids: the CSV header's say, or the first JSON line's; nil
    /// until that is known.
    private(set) var hasIDs: Bool?

    init(descriptor: Int32) {
        lines = LineReader(descriptor: descriptor)
    }

    /// How far through the file reading is, when its size is known (a file, not a pipe).
    var progress: (read: Int, total: Int)? { lines.total.map { (lines.consumed, $0) } }

    /// The next row; nil at the end. A CSV header naming unknown columns is a usage error.
    func next() throws(ControlError) -> ImportRow? {
        while let (text, number) = try lines.next() {
            if format == nil {
                // A byte order mark, as spreadsheet programs write, is not part of the header.
                let line = number == 1 && text.hasPrefix("\u{FEFF}") ? text.dropFirst() : text
                guard line.contains(where: { !$0.isWhitespace }) else { continue }
                if line.first(where: { !$0.isWhitespace }) == "{" {
                    format = .jsonLines
                } else {
                    var reader = CSVReader()
                    guard let header = reader.feed(line, number: number) else { continue }
                    let names = try Self.header(header.fields)
                    format = .csv(header: names, reader: reader)
                    hasIDs = names.contains(ParamSpec.id.name)
                    continue
                }
            }
            if let row = read(text, number) { return row }
        }
        if case .csv(let header, var reader) = format, let record = reader.finish() {
            format = .csv(header: header, reader: reader)
            return Self.row(record, header)
        }
        return nil
    }

    private func read(_ text: Substring, _ number: Int) -> ImportRow? {
        switch format {
        case .jsonLines?: return jsonLine(text, number)
        case .csv(let header, var reader)?:
            let record = reader.feed(text, number: number)
            format = .csv(header: header, reader: reader)
            return record.map { Self.row($0, header) }
        case nil: return nil
        }
    }

    /// One object a line; the columns are passed on as they are, so the daemon reports
    /// a wrong type the same way it would for any caller.
    private func jsonLine(_ line: Substring, _ number: Int) -> ImportRow? {
        guard line.contains(where: { !$0.isWhitespace }) else { return nil }
        let json: JSON
        do {
            json = try JSONParser.parse(String(line))
        } catch {
            return ImportRow(line: number, name: "line \(number)", content: .unreadable("not JSON: \(error.message)"))
        }
        guard case .object(let object) = json else {
            return ImportRow(line: number, name: "line \(number)", content: .unreadable("not a JSON object"))
        }
        if hasIDs == nil { hasIDs = object[ParamSpec.id.name] != nil }
        let name = object[ParamSpec.username.name]?.string ?? "line \(number)"
        if let unknown = object.keys.sorted().first(where: { !Self.columns.contains($0) }) {
            return ImportRow(line: number, name: name, content: .unreadable("unknown field \(unknown) (this authctl reads \(Self.columns.joined(separator: ", ")))"))
        }
        return ImportRow(line: number, name: name, content: .params(object))
    }

    /// The columns named, each once, with username, email and password_hash among them.
    private static func header(_ fields: [String]) throws(ControlError) -> [String] {
        let names = fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let unknown = names.filter { !columns.contains($0) }
        let missing = requiredColumns.filter { !names.contains($0) }
        guard unknown.isEmpty, missing.isEmpty, Set(names).count == names.count else {
            throw .usage("the CSV header must name username, email and password_hash, and may name "
                         + "\(columns.filter { !requiredColumns.contains($0) }.joined(separator: ", ")), each once; "
                         + "not \(names.joined(separator: ","))")
        }
        return names
    }

    /// A record under the header. An empty `id`, `created_at` or `disabled_at` means "the
    /// next", "now" and "enabled", as a missing one does; `groups` are split at commas.
    private static func row(_ record: CSVReader.Record, _ header: [String]) -> ImportRow {
        let nameIndex = header.firstIndex(of: ParamSpec.username.name)!
        let name = record.fields.count > nameIndex && !record.fields[nameIndex].isEmpty ? record.fields[nameIndex] : "line \(record.line)"
        guard record.fields.count == header.count else {
            return ImportRow(line: record.line, name: name,
                             content: .unreadable("expected \(header.count) fields, found \(record.fields.count)"))
        }
        var params: [String: JSON] = [:]
        for (column, value) in zip(header, record.fields) {
            if value.isEmpty, emptyMeansAbsent.contains(column) { continue }
            params[column] = listColumns.contains(column)
                ? .array(value.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) }) : .string(value)
        }
        return ImportRow(line: record.line, name: name, content: .params(params))
    }
}

/// Lines of a file descriptor, read in large chunks.
final class LineReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var number = 0
    /// Bytes handed out as lines so far.
    private(set) var consumed = 0
    /// The file's size, when it is a regular file.
    let total: Int?

    init(descriptor: Int32) {
        fd = descriptor
        var status = stat()
        total = fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFREG ? Int(status.st_size) : nil
    }

    /// The next line without its "\n", and its number from 1; nil at the end.
    func next() throws(ControlError) -> (Substring, Int)? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                return take(upTo: newline, skipping: 1)
            }
            if atEnd {
                return start < buffer.count ? take(upTo: buffer.count, skipping: 0) : nil
            }
            try fill()
        }
    }

    private func take(upTo end: Int, skipping: Int) -> (Substring, Int) {
        let line = String(decoding: buffer[start..<end], as: UTF8.self)
        consumed += end - start + skipping
        start = end + skipping
        number += 1
        return (line[...], number)
    }

    private func fill() throws(ControlError) {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .usage("cannot read the import file: \(String(cString: strerror(errno)))") }
            if n == 0 { atEnd = true } else { buffer.append(contentsOf: chunk[..<n]) }
            return
        }
    }
}
