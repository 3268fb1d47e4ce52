import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

/// `authctl user list`: every user by id, as a table with a legend, through the pager on a
/// terminal (as systemctl lists units); `--limit` and `--after-id` ask for one page.
struct UserListCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List users by id.",
        discussion: """
            Lists every user, through $PAGER (else less) when stdout is a terminal. \
            --limit or --after-id lists one page instead, and says on stderr how to get the next.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("\(ParamSpec.limit.summary); lists one page."))
    var limit: Int?

    @Option(name: .customLong("after-id"), help: "List users with a greater id than this; lists one page.")
    var afterID: Int64?

    @Flag(help: "Follow next_after_id through every page, also with --limit or --after-id.")
    var all = false

    @Option(help: "List only the users whose username or email contains this, in any case.")
    var filter: String?

    @Flag(name: .customLong("no-legend"), help: "Print neither the column headings nor the count at the end.")
    var noLegend = false

    @Flag(name: .customLong("no-pager"), help: "Do not pipe the table into a pager.")
    var noPager = false

    func run() throws {
        let daemon = try options.connect()
        var page = try daemon.call(.usersList, params(after: afterID))
        var users = page["users"]?.array ?? []
        var next = page["next_after_id"] ?? .null
        if all || (limit == nil && afterID == nil) {
            var after = afterID ?? 0
            while let cursor = next.int64 {
                // A cursor that does not advance would loop forever; the contract says it always does.
                guard cursor > after else { break }
                after = cursor
                page = try daemon.call(.usersList, params(after: cursor))
                users += page["users"]?.array ?? []
                next = page["next_after_id"] ?? .null
            }
        }
        if let filter {
            users = users.filter { user in
                ["username", "email"].contains { Render.field(user, $0).localizedCaseInsensitiveContains(filter) }
            }
        }
        // With --json every page read is joined into one, shaped like a page.
        if let style = options.json {
            print(style.format(["users": .array(users), "next_after_id": next]))
            return
        }
        Pager.show(table(users), enabled: !noPager)
        if let next = next.int64 {
            // On stderr, so that the table on stdout stays just the table.
            FileHandle.standardError.write(Data("more users: use --after-id \(next) or --all\n".utf8))
        }
    }

    /// The table, headed and counted unless `--no-legend`: "3 users listed.", as systemctl counts units.
    private func table(_ users: [JSON]) -> String {
        guard !noLegend else { return Render.table(users, legend: false) }
        let count = users.count == 1 ? "1 user listed." : "\(users.count) users listed."
        return (users.isEmpty ? "" : Render.table(users, legend: true) + "\n\n") + count
    }

    private func params(after: Int64?) -> [String: JSON] {
        var params: [String: JSON] = [:]
        if let limit { params[ParamSpec.limit.name] = .int(limit) }
        if let after { params[ParamSpec.afterID.name] = .int(after) }
        return params
    }
}
