import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl logout [TOKEN]`: revokes a token.
struct LogoutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Revoke an access token."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The token (default: --token or $AUTHD_TOKEN).")
    var token: String?

    func validate() throws {
        _ = try options.subjectToken(token)
    }

    func run() throws {
        let token = try options.subjectToken(token)
        let result = try options.connect().call(.logout, ["token": .string(token)])
        options.emit(result) { _ in "revoked" }
    }
}
