import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user add`: registers an account.
struct UserAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a user.",
        discussion: "The password is asked twice on the terminal, or read as one line from stdin with --password-stdin."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "The new user's name.")
    var username: String

    @Option(help: "The new user's email address.")
    var email: String

    @Flag(name: .customLong("password-stdin"), help: "Read the password as one line from stdin.")
    var passwordStdin = false

    func run() throws {
        let password = try passwordStdin ? PasswordReader.fromStdin() : PasswordReader.prompt(confirm: true)
        let user = try options.connect().call(.register, [
            "username": .string(username), "email": .string(email), "password": .string(password),
        ])
        options.emit(user, human: Render.user)
    }
}
