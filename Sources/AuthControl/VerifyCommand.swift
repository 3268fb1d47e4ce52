import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl verify [TOKEN]`: whether a token is active, and whose it is.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Tell whether an access token is active, and whose it is.",
        discussion: "An inactive token is a successful answer: the status is 0 either way."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The token (default: --token or $AUTHD_TOKEN).")
    var token: String?

    func validate() throws {
        _ = try options.subjectToken(token)
    }

    func run() throws {
        let token = try options.subjectToken(token)
        let result = try options.connect().call(.verify, ["token": .string(token)])
        options.emit(result, human: Render.verification)
    }
}
