import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl login`: checks a password and prints an access token, ready for `AUTHD_TOKEN`.
struct LoginCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in and print an access token.",
        discussion: """
            Prints only the access token (the whole result with --json), so that \
            `export AUTHD_TOKEN=$(authctl login --username alice)` works.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Log in by username.")
    var username: String?

    @Option(help: "Log in by email address.")
    var email: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the password as one line from stdin.")
    var passwordStdin = false

    func validate() throws {
        guard (username == nil) != (email == nil) else {
            throw ValidationError("Give exactly one of --username, --email.")
        }
    }

    func run() throws {
        let password = try passwordStdin ? PasswordReader.fromStdin() : PasswordReader.prompt(confirm: false)
        var params: [String: JSON] = [ParamSpec.password.name: .string(password)]
        if let username { params[ParamSpec.username.name] = .string(username) }
        if let email { params[ParamSpec.email.name] = .string(email) }
        let result = try options.connect().call(.login, params)
        options.emit(result) { Render.field($0, "access_token") }
    }
}
