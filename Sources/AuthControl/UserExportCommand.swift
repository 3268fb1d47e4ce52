import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `authctl user export`: every user with their hash, as `authctl user import` reads them
/// back, streamed a page (users.export, by id) at a time.
struct UserExportCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export users with their password hashes (privileged callers only).",
        discussion: """
            Writes CSV (a header, then one user a record) or JSON lines, with the columns \
            `authctl user import` reads: \(ImportFile.columns.joined(separator: ", ")). Importing the \
            file into an empty database gives the same users with the same ids, and every \
            password still logs in. The file holds password hashes: --output creates it with \
            mode 0600.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, jsonl
    }

    @OptionGroup var options: GlobalOptions

    @Option(help: "csv or jsonl (default: jsonl for an --output ending in .jsonl or .json, else csv).")
    var format: Format?

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (mode 0600); stdout when absent or -.", valueName: "file"),
            completion: .file())
    var output: String?

    func run() throws {
        let daemon = try options.connect()
        let fd = try openOutput()
        defer { if fd != STDOUT_FILENO { close(fd) } }
        let chosen = format ?? (output.map { $0.hasSuffix(".jsonl") || $0.hasSuffix(".json") } == true ? .jsonl : .csv)
        var after: Int64 = 0
        var count = 0
        while true {
            let page = try daemon.call(.usersExport, RPCMethod.usersExport.params([.afterID: .int(after)]))
            let users = page["users"]?.array ?? []
            // The header once authd has agreed to export: after a refusal nothing is written.
            var text = after == 0 && chosen == .csv ? ImportFile.columns.joined(separator: ",") + "\n" : ""
            for user in users {
                text += (chosen == .csv ? Self.csvRecord(user) : Self.jsonLine(user)) + "\n"
            }
            try write(text, to: fd)
            count += users.count
            // A cursor that does not advance would loop forever; the contract says it always does.
            guard let next = page["next_after_id"]?.int64, next > after else { break }
            after = next
        }
        if output != nil && output != "-" || isatty(STDERR_FILENO) == 1 {
            FileHandle.standardError.write(Data("authctl: exported \(count) users\n".utf8))
        }
    }

    /// One user's columns, quoted where RFC 4180 needs it.
    static func csvRecord(_ user: JSON) -> String {
        ImportFile.columns.map { column in
            let value = ImportFile.listColumns.contains(column)
                ? (user[column]?.array ?? []).compactMap(\.string).joined(separator: ",") : Render.field(user, column)
            guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",")
    }

    /// The user's members that import reads, on one line.
    static func jsonLine(_ user: JSON) -> String {
        var object: [String: JSON] = [:]
        for column in ImportFile.columns { object[column] = user[column] }
        return JSON.object(object).text
    }

    private func openOutput() throws(ControlError) -> Int32 {
        guard let output, output != "-" else { return STDOUT_FILENO }
        let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .usage("cannot write \(output): \(String(cString: strerror(errno)))") }
        // An existing file keeps its mode through O_CREAT: it holds hashes now.
        fchmod(fd, 0o600)
        return fd
    }

    private func write(_ text: String, to fd: Int32) throws(ControlError) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .usage("cannot write the export: \(String(cString: strerror(errno)))") }
            bytes = bytes.dropFirst(n)
        }
    }
}
