import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl verify [TOKEN]`: whether a token is active, and whose it is.
struct VerifyCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Tell whether an access token is active, and whose it is.",
        discussion: """
            The status is 0 for an active token and 1 for an inactive one, whose reason is \
            printed (expired, revoked, invalid, no user); with --json the result object is \
            printed either way. --quiet prints nothing, for `if authctl verify -q ...`.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .shortAndLong, help: "Print nothing; the exit status tells.")
    var quiet = false

    @Argument(help: "The token (default: --token or $AUTHD_TOKEN).")
    var token: String?

    func validate() throws {
        _ = try options.subjectToken(token)
    }

    func run() throws {
        let token = try options.subjectToken(token)
        let result = try options.connect().call(.verify, RPCMethod.verify.params([.token: .string(token)]))
        if !quiet { options.emit(result, human: Render.verification) }
        guard result["active"] == .bool(true) else { throw ControlError.answered }
    }
}
