import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user unlock ID`: forgets an account's failed logins, lifting a lockout.
struct UserUnlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Lift a lockout after failed logins (privileged)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The user's id.")
    var id: Int64

    func run() throws {
        let result = try options.connect().call(.usersUnlock, ["id": .int(id)])
        options.emit(result) { _ in "unlocked user \(id)" }
    }
}
