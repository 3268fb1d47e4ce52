import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl session ...`: sessions.list and sessions.revoke.
struct SessionCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "List and revoke sessions (sign-ins).",
        subcommands: [SessionListCommand.self, SessionRevokeCommand.self]
    )

    @OptionGroup var options: GlobalOptions
}

/// `authctl session list [USER]`: the active sessions, most recently used first. The user
/// is an argument, as in `user show`: `--user` is the global flag for the per-user daemon.
struct SessionListCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the active sessions of the token's user (privileged callers: of USER).",
        discussion: "A table, most recently used first; the caller's own session is marked with * in CURRENT."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Privileged callers: the user whose sessions to list (an id, a username or an email address).",
                                 valueName: "user"))
    var user: UserReference?

    @Flag(name: .customLong("no-legend"), help: "Print neither the column headings nor the count at the end.")
    var noLegend = false

    func run() throws {
        let daemon = try options.connect()
        var params: [String: JSON] = [:]
        if let user { params = RPCMethod.sessionsList.params([.userID: .int(try user.id(on: daemon))]) }
        let result = try daemon.call(.sessionsList, params)
        options.emit(result) { result in
            let sessions = result["sessions"]?.array ?? []
            let columns = ["id", "created_at", "last_used_at", "expires_at", "client", "current", "label"]
            let rows = sessions.map { s in
                columns.map { name in
                    switch name {
                    case "current": s["current"] == .bool(true) ? "*" : "-"
                    case "client", "label": s[name] == .null ? "-" : Render.field(s, name)
                    default: Render.field(s, name)
                    }
                }
            }
            let table = Render.aligned(rows, header: noLegend ? nil : columns.map { $0.uppercased() })
            guard !noLegend else { return table }
            let count = sessions.count == 1 ? "1 session listed." : "\(sessions.count) sessions listed."
            return (sessions.isEmpty ? "" : table + "\n\n") + count
        }
    }
}

/// `authctl session revoke ID`: ends one session and every token it issued.
struct SessionRevokeCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "End a session: its refresh token and every access token it issued stop working."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The session's id (from session list).")
    var id: String

    func run() throws {
        let result = try options.connect().call(.sessionsRevoke, RPCMethod.sessionsRevoke.params([.sessionID: .string(id)]))
        options.emit(result) { _ in "revoked session \(id)" }
    }
}
