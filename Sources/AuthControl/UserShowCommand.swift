import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user show ID`.
struct UserShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one user."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The user's id.")
    var id: Int64

    func run() throws {
        let daemon = try options.connect()
        let user = try daemon.call(.usersGet, ["id": .int(id)])
        // Failed logins are for administrators: others are refused them, and see the user only.
        let lockout = try? daemon.outcome(.usersLockout, ["id": .int(id)]).get()
        options.emit(user) { user in
            var text = Render.user(user)
            if let lockout, (lockout["failures"]?.int64 ?? 0) > 0 || lockout["locked_until"] != .null {
                text += "\nfailed_logins: \(Render.field(lockout, "failures"))"
                if let until = lockout["locked_until"]?.string { text += "\nlocked_until: \(until)" }
            }
            return text
        }
    }
}
