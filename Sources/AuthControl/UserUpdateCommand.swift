import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user update ID`: changes a username, email or password.
struct UserUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a user's username, email or password.",
        discussion: "A new password, read as one line from stdin, revokes all the user's tokens."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The user's id.")
    var id: Int64

    @Option(help: "A new username.")
    var username: String?

    @Option(help: "A new email address.")
    var email: String?

    @Flag(name: .customLong("password-stdin"), help: "Read a new password as one line from stdin.")
    var passwordStdin = false

    func validate() throws {
        guard username != nil || email != nil || passwordStdin else {
            throw ValidationError("Give at least one of --username, --email, --password-stdin.")
        }
    }

    func run() throws {
        var params: [String: JSON] = ["id": .int(id)]
        if let username { params["username"] = .string(username) }
        if let email { params["email"] = .string(email) }
        if passwordStdin { params["password"] = .string(try PasswordReader.fromStdin()) }
        let user = try options.connect().call(.usersUpdate, params)
        options.emit(user, human: Render.user)
    }
}
