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

    @Option(help: "The TOTP code, when the user has a second factor (otherwise asked for on the terminal).")
    var code: String?

    @Option(name: .customLong("recovery-code"), help: "A recovery code instead of a TOTP code.")
    var recoveryCode: String?

    func validate() throws {
        guard (username == nil) != (email == nil) else {
            throw ValidationError("Give exactly one of --username, --email.")
        }
        if code != nil && recoveryCode != nil { throw ValidationError("Give one of --code, --recovery-code.") }
    }

    func run() throws {
        let password = try passwordStdin ? PasswordReader.fromStdin() : PasswordReader.prompt(confirm: false)
        var params: [String: JSON] = [ParamSpec.password.name: .string(password)]
        if let username { params[ParamSpec.username.name] = .string(username) }
        if let email { params[ParamSpec.email.name] = .string(email) }
        let daemon = try options.connect()
        var result = try daemon.call(.login, params)
        // A user with TOTP: the second step (contract §9).
        if result[ResultKey.mfaRequired.rawValue] == .bool(true), let mfaToken = result[ResultKey.mfaToken.rawValue] {
            var second = RPCMethod.mfa.params([.mfaToken: mfaToken])
            if let recoveryCode {
                second[ParamSpec.recoveryCode.name] = .string(recoveryCode)
            } else {
                second[ParamSpec.code.name] = .string(try MFACommand.code(code))
            }
            result = try daemon.call(.mfa, second)
        }
        options.emit(result) { Render.field($0, "access_token") }
    }
}
