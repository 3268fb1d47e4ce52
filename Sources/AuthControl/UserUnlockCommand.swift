import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user unlock USER`: forgets an account's failed logins, lifting a lockout.
struct UserUnlockCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Lift a lockout after failed logins (privileged)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    func run() throws {
        let daemon = try options.connect()
        let id = try user.id(on: daemon)
        let result = try daemon.call(.usersUnlock, RPCMethod.usersUnlock.params([.id: .int(id)]))
        options.emit(result) { _ in "unlocked user \(id)" }
    }
}
