import ArgumentParser
import Foundation

/// `authctl`: the control client of authd. The executable only calls `execute`.
public struct Authctl: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "authctl",
        abstract: "Control client for the authd authentication daemon.",
        discussion: """
            Exit status: 0 success, 1 the daemon answered with an error, 2 usage error \
            (or unusable input), 3 the daemon cannot be reached.
            """,
        subcommands: [HealthCommand.self, UserCommand.self, LoginCommand.self, VerifyCommand.self,
                      LogoutCommand.self, CallCommand.self]
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
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            status = 0
        } catch let error as ControlError {
            error.print()
            status = error.exitCode
        } catch {
            status = usageStatus(for: error)
        }
        Foundation.exit(status)
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
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        return code == .validationFailure ? 2 : code.rawValue
    }
}
