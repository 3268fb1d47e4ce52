import ArgumentParser
import AuthInterface
import Foundation

/// `authctl`: the control client of authd. The executable only calls `execute`.
public struct Authctl: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "authctl",
        abstract: "Control client for the authd authentication daemon.",
        discussion: """
            Exit status: 0 success; 1 the daemon answered with an error, or verify found the \
            token inactive; 2 usage error (or unusable input); 3 the daemon cannot be reached; \
            75 the daemon says to retry later (too many attempts, storage unavailable); \
            77 not allowed (forbidden).
            """,
        version: authdVersion,
        subcommands: [HealthCommand.self, UserCommand.self, LoginCommand.self, RefreshCommand.self, VerifyCommand.self,
                      LogoutCommand.self, SessionCommand.self, MFACommand.self, MetricsCommand.self, CallCommand.self]
    )

    /// Declared here too so that the global options may also stand before the
    /// subcommand (`authctl --json user list`); ArgumentParser hands the parsed values to
    /// every command in the chain that declares them.
    @OptionGroup var options: GlobalOptions

    public init() {}

    /// Parses `arguments` (without the program name), runs the command and exits with the
    /// documented status. ArgumentParser's own `main` would exit 64 (EX_USAGE) on a usage
    /// error; authctl promises 2, like most Unix tools, so parsing is done here.
    public static func execute(_ arguments: [String]) -> Never {
        let status: Int32
        var style: JSONStyle?
        do {
            var command = try parseAsRoot(bareJSONAsAuto(arguments))
            style = (command as? any OptionsCommand)?.options.json
            try command.run()
            status = 0
        } catch let error as ControlError {
            error.print(json: style)
            status = error.exitCode
        } catch {
            status = usageStatus(for: error)
        }
        Foundation.exit(status)
    }

    /// `--json` takes an optional value, as in systemd's tools (`--json`, `--json=pretty`),
    /// which ArgumentParser's options cannot: a bare one becomes `--json=auto`. Only before
    /// `--`, after which every word is an argument.
    static func bareJSONAsAuto(_ arguments: [String]) -> [String] {
        let end = arguments.firstIndex(of: "--") ?? arguments.endIndex
        return arguments[..<end].map { $0 == "--json" ? "--json=auto" : $0 } + arguments[end...]
    }

    /// Prints ArgumentParser's message for one of its own errors and picks the status:
    /// help and version requests exit 0 on stdout, a bad command line 2 on stderr.
    private static func usageStatus(for error: Error) -> Int32 {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            print(message)
            return 0
        }
        if !message.isEmpty {
            // One error style for every failure: `authctl: <message>`, not ArgumentParser's `Error: `.
            let styled = message.hasPrefix("Error: ") ? "authctl: " + message.dropFirst("Error: ".count) : message
            FileHandle.standardError.write(Data((styled + "\n").utf8))
        }
        return code == .validationFailure ? 2 : code.rawValue
    }
}

/// A command that takes the global options, so that `execute` can print its errors in
/// the form `--json` asked for.
protocol OptionsCommand {
    var options: GlobalOptions { get }
}
