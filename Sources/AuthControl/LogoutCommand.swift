import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl logout [--scope SCOPE] [TOKEN]`: ends the token's session, the user's other
/// sessions, or all of them.
struct LogoutCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "End the token's session (or revoke the token when it has none).",
        discussion: """
            --scope others ends every other session of the user, global all of them; both also end the             user's tokens that have no session.
            """
    )

    enum Scope: String, ExpressibleByArgument, CaseIterable {
        case local, others, global
    }

    @Option(help: ArgumentHelp("local (the default), others or global.", valueName: "scope"))
    var scope: Scope = .local

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The token (default: --token or $AUTHD_TOKEN).")
    var token: String?

    func validate() throws {
        _ = try options.subjectToken(token)
    }

    func run() throws {
        let token = try options.subjectToken(token)
        let result = try options.connect().call(.logout, RPCMethod.logout.params([.token: .string(token), .scope: .string(scope.rawValue)]))
        options.emit(result) { result in
            let ended = result["sessions"]?.int64 ?? 0
            return "revoked (\(ended == 1 ? "1 session" : "\(ended) sessions") ended)"
        }
    }
}
