import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user update USER`: changes a username, email or password.
struct UserUpdateCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a user's username, email or password.",
        discussion: """
            --password asks for the new password twice on the terminal, without echo; \
            --password-stdin reads it as one line from stdin. The other fields are checked \
            before the prompt. A new password revokes all the user's tokens. \
            A user changing their own password (an unprivileged caller with AUTHD_TOKEN) must \
            give the current one: --current-password asks for it, --current-password-stdin \
            reads it as the first line of stdin (before the new one). It also lets an own email \
            change go through with a token older than authd's --fresh-window. \
            \(FieldCheck.passwordRules)
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    @Option(help: "A new username.")
    var username: String?

    @Option(help: "A new email address.")
    var email: String?

    @Flag(help: "Ask for a new password on the terminal.")
    var password = false

    @Flag(name: .customLong("password-stdin"), help: "Read a new password as one line from stdin.")
    var passwordStdin = false

    @Flag(name: .customLong("current-password"), help: "Ask for your current password on the terminal.")
    var currentPassword = false

    @Flag(name: .customLong("current-password-stdin"), help: "Read your current password as the first line of stdin.")
    var currentPasswordStdin = false

    func validate() throws {
        guard username != nil || email != nil || password || passwordStdin else {
            throw ValidationError("Give at least one of --username, --email, --password, --password-stdin.")
        }
        guard !(password && passwordStdin) else {
            throw ValidationError("Give one of --password, --password-stdin.")
        }
        guard !(currentPassword && currentPasswordStdin) else {
            throw ValidationError("Give one of --current-password, --current-password-stdin.")
        }
    }

    func run() throws {
        try FieldCheck.account(username: username, email: email)
        let daemon = try options.connect()
        var params: [String: JSON] = [ParamSpec.id.name: .int(try user.id(on: daemon))]
        if let username { params[ParamSpec.username.name] = .string(username) }
        if let email { params[ParamSpec.email.name] = .string(email) }
        if currentPassword {
            params[ParamSpec.currentPassword.name] = .string(try PasswordReader.prompt(confirm: false, label: "Current password"))
        }
        if currentPasswordStdin {
            params[ParamSpec.currentPassword.name] = .string(try PasswordReader.fromStdin(label: "Current password"))
        }
        if password { params[ParamSpec.password.name] = .string(try PasswordReader.prompt(confirm: true)) }
        if passwordStdin { params[ParamSpec.password.name] = .string(try PasswordReader.fromStdin()) }
        let user = try daemon.call(.usersUpdate, params)
        options.emit(user, human: Render.user)
    }
}
