import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user show USER`.
struct UserShowCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one user, and for privileged callers their failed logins and status."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    func run() throws {
        let daemon = try options.connect()
        var shown = try user.user(on: daemon)
        // Failed logins are for administrators: others are refused them, and see the user only.
        if let id = shown["id"]?.int64,
           let lockout = try? daemon.outcome(.usersLockout, RPCMethod.usersLockout.params([.id: .int(id)])).get() {
            // The same fields as the text: the user's own, then the lockout's.
            var object = shown.object ?? [:]
            object["failed_logins"] = lockout["failures"] ?? .int(0)
            object["locked_until"] = lockout["locked_until"] ?? .null
            // The administrator's view (users.status), beside the contract's user.
            let status = try daemon.call(.usersStatus, RPCMethod.usersStatus.params([.id: .int(id)]))
            for key in Render.statusFields { object[key] = status[key] ?? .null }
            shown = .object(object)
        }
        options.emit(shown, human: Render.user)
    }
}
