import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user add NAME --email ADDRESS`: registers an account.
struct UserAddCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a user.",
        discussion: """
            The password is asked twice on the terminal without echo, or read as one line \
            from stdin with --password-stdin; the name and email are checked first. \
            \(FieldCheck.passwordRules)
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The new user's name (\(ParamSpec.username.summary)).", valueName: "username"))
    var name: String

    @Option(help: "The new user's email address.")
    var email: String

    @Flag(name: .customLong("password-stdin"), help: "Read the password as one line from stdin.")
    var passwordStdin = false

    func run() throws {
        try FieldCheck.account(username: name, email: email)
        let password = try passwordStdin ? PasswordReader.fromStdin() : PasswordReader.prompt(confirm: true)
        let user = try options.connect().call(.register, RPCMethod.register.params([
            .username: .string(name), .email: .string(email), .password: .string(password),
        ]))
        options.emit(user, human: Render.user)
    }
}
