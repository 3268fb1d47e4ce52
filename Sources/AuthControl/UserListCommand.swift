import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

/// `authctl user list`: users by id, a page at a time or (`--all`) every page.
struct UserListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List users by id."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Users per page, 1–500 (the daemon's default is 50).")
    var limit: Int?

    @Option(name: .customLong("after-id"), help: "List users with a greater id than this.")
    var afterID: Int64?

    @Flag(help: "Follow next_after_id through every page.")
    var all = false

    func run() throws {
        let daemon = try options.connect()
        var page = try daemon.call(.usersList, params(after: afterID))
        guard all else {
            options.emit(page) { Render.table($0["users"]?.array ?? []) }
            if !options.json, let next = page["next_after_id"]?.int64 {
                // On stderr, so that the table on stdout stays just the table.
                FileHandle.standardError.write(Data("more users: use --after-id \(next) or --all\n".utf8))
            }
            return
        }
        var users = page["users"]?.array ?? []
        var after = afterID ?? 0
        while let next = page["next_after_id"]?.int64 {
            // A cursor that does not advance would loop forever; the contract says it always does.
            guard next > after else { break }
            after = next
            page = try daemon.call(.usersList, params(after: next))
            users += page["users"]?.array ?? []
        }
        // With --json the pages are joined into one, shaped like a last page.
        options.emit(["users": .array(users), "next_after_id": .null]) { Render.table($0["users"]?.array ?? []) }
    }

    private func params(after: Int64?) -> [String: JSON] {
        var params: [String: JSON] = [:]
        if let limit { params["limit"] = .int(limit) }
        if let after { params["after_id"] = .int(after) }
        return params
    }
}
