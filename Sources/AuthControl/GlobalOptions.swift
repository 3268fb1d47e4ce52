import ArgumentParser
import AuthInterface
import AuthJSON
import AuthSettings
import AuthWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How `--json` prints: `pretty` (indented), `short` (one line), or, for a bare `--json`,
/// pretty on a terminal and short otherwise, as systemd's tools do.
enum JSONStyle: String, ExpressibleByArgument, CaseIterable {
    case pretty, short, auto

    /// What help, errors and completions offer: `auto` is only what a bare `--json` becomes.
    static var allValueStrings: [String] { [pretty.rawValue, short.rawValue] }

    /// The style that `auto` stands for where stdout leads.
    var resolved: JSONStyle {
        guard self == .auto else { return self }
        return isatty(STDOUT_FILENO) == 1 ? .pretty : .short
    }

    func format(_ value: JSON) -> String {
        resolved == .pretty ? value.prettyText : value.text
    }
}

/// The options every command takes: where the daemon listens, how to print, which token to use.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's socket (default: $AUTHD_SOCKET, else \(SocketPath.system)).",
                                            valueName: "path"), completion: .file())
    var socket: String?

    @Flag(name: .long, help: "Talk to your own per-user authd (in $XDG_RUNTIME_DIR/authd) instead of the system's.")
    var user = false

    @Option(name: .long, help: ArgumentHelp("Print the daemon's JSON: pretty, short (one line), or for a bare --json "
                                            + "pretty on a terminal and short otherwise. Errors are JSON too.",
                                            valueName: "pretty|short"))
    var json: JSONStyle?

    @Option(name: .long, help: ArgumentHelp("An access token for the user commands (default: $AUTHD_TOKEN); root needs none.",
                                            valueName: "token"))
    var token: String?

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The flag wins over the environment, which wins over the system socket; `--user`
    /// names the per-user daemon's socket where the daemon itself would put it.
    var socketPath: String {
        if let socket { return socket }
        if let path = Self.environment["AUTHD_SOCKET"], !path.isEmpty { return path }
        return user ? SocketPath.default(uid: getuid(), environment: Self.environment) : SocketPath.system
    }

    /// An empty `AUTHD_TOKEN` counts as none, so `AUTHD_TOKEN= authctl ...` acts as root would.
    var accessToken: String? {
        if let token { return token }
        if let token = Self.environment["AUTHD_TOKEN"], !token.isEmpty { return token }
        return nil
    }

    /// Where the token came from, for the message when authd refuses it.
    var tokenSource: TokenSource? {
        if token != nil { return .option }
        return accessToken == nil ? nil : .environment
    }

    /// The token that verify and logout are about: the argument, else the caller's own.
    func subjectToken(_ argument: String?) throws(ValidationError) -> String {
        guard let token = argument ?? accessToken else {
            throw ValidationError("Give a token, as the argument, --token or $AUTHD_TOKEN.")
        }
        return token
    }

    /// A per-user socket in a directory someone else could have made is refused: a
    /// password sent to it would be theirs.
    func connect() throws(ControlError) -> Daemon {
        if socket == nil && (Self.environment["AUTHD_SOCKET"] ?? "").isEmpty && user {
            do {
                try RuntimeDirectory.check(directoryOf: socketPath, create: false)
            } catch {
                throw .unreachable("\(error)", hint: nil)
            }
        }
        return try Daemon(path: socketPath, token: accessToken, tokenSource: tokenSource)
    }

    /// Prints a result: the daemon's JSON with `--json`, else as `human` renders it.
    func emit(_ result: JSON, human: (JSON) -> String) {
        Swift.print(json.map { $0.format(result) } ?? human(result))
    }
}

/// Where the caller's token came from.
enum TokenSource {
    case option, environment
}
