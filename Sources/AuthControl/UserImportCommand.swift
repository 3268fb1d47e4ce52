import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `authctl user import [FILE]`: adds users with their existing password hashes, as
/// exported from the Flask app, one users.import call a row.
struct UserImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import users with existing password hashes (privileged callers only).",
        discussion: """
            Reads JSON lines (objects with username, email, password_hash and optionally \
            created_at) or CSV with the header username,email,password_hash[,created_at]. \
            Prints one line a row; the status is 1 if any row was refused.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The file to read; stdin when absent or -.", valueName: "file"))
    var file: String?

    func run() throws {
        let rows = try ImportFile.rows(readInput())
        let daemon = try options.connect()
        var refused = 0
        for row in rows {
            let outcome: Result<JSON, RPCError>?
            switch row.content {
            case .params(let params): outcome = try daemon.outcome(.usersImport, params)
            case .unreadable: outcome = nil
            }
            if case .success = outcome {} else { refused += 1 }
            print(options.json ? json(row, outcome).text : text(row, outcome))
        }
        if refused > 0 {
            throw ControlError.refused("\(refused) of \(rows.count) rows refused")
        }
    }

    /// `imported alice as id 7` or `refused bob: <why>`, on one line.
    private func text(_ row: ImportRow, _ outcome: Result<JSON, RPCError>?) -> String {
        switch (row.content, outcome) {
        case (.unreadable(let reason), _) where row.name == "line \(row.line)": "refused \(row.name): \(reason)"
        case (.unreadable(let reason), _): "refused \(row.name): line \(row.line): \(reason)"
        case (_, .success(let user)?): "imported \(row.name) as id \(Render.field(user, "id"))"
        case (_, .failure(let error)?): "refused \(row.name): \(ControlError.describe(error, separator: "; "))"
        case (.params, nil): "refused \(row.name)"
        }
    }

    /// Shaped like a JSON-RPC response, with the row's line and username in place of an id:
    /// `{"line", "username", "result": User}` or `{"line", "username", "error": {...}}`.
    private func json(_ row: ImportRow, _ outcome: Result<JSON, RPCError>?) -> JSON {
        var object: [String: JSON] = ["line": .int(row.line), "username": .string(row.name)]
        switch (row.content, outcome) {
        case (.unreadable(let reason), _):
            object["error"] = RPCError(.invalidParams, reason, data: [:]).json
        case (_, .success(let user)?): object["result"] = user
        case (_, .failure(let error)?): object["error"] = error.json
        case (.params, nil): break
        }
        return .object(object)
    }

    private func readInput() throws(ControlError) -> String {
        guard let file, file != "-" else {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        // open(2) rather than Foundation, for the plain strerror message users know.
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .usage("cannot read \(file): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        } catch {
            throw .usage("cannot read \(file): \(error.localizedDescription)")
        }
    }
}
