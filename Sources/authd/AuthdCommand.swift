import AuthDaemon
import AuthInterface
import AuthSettings
import AuthSystemd
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// authd: holds user accounts and answers authentication requests on a Unix socket.
/// Its command line is read against `DaemonSettings`, which also writes `--help`.
@main
enum AuthdCommand {
    static let commands = ["serve", "migrate", "backup"]

    static func main() async {
        let options: DaemonConfiguration.Overrides
        do {
            options = try .init(CommandLine.arguments.dropFirst(), subcommands: commands, withOperand: ["backup"])
        } catch {
            fail("\(error); see authd --help")
        }
        switch options.request {
        case .help: print(help)
        case .version: print(authdVersion)
        case .run:
            do {
                try await run(options)
            } catch {
                fail("\(error)", status: Daemon.exitStatus(for: error))
            }
        }
    }

    static func run(_ options: DaemonConfiguration.Overrides) async throws {
        Systemd.unblockControlSignals()
        let config = try DaemonConfiguration.load(options)
        DaemonLogging.bootstrap(level: config.logLevel, environment: ProcessInfo.processInfo.environment)
        let logger = Logger(label: "authd")
        for warning in config.warnings { logger.warning("\(warning)") }
        try config.preparePaths(logger: logger)
        if options.subcommand == "migrate" {
            print("schema at version \(try await Daemon.migrate(config))")
        } else if options.subcommand == "backup", let path = options.operand {
            print(try await Daemon.backup(config, to: path))
        } else {
            try await Daemon.run(config, logger: logger, reload: { try DaemonConfiguration.load(options, reloading: true) })
        }
    }

    /// Says the problem once on stderr and exits, by default with EX_CONFIG (78), which
    /// systemd units treat as "do not restart in a loop": usage errors too, so a typo in a
    /// drop-in stops.
    static func fail(_ message: String, status: Int32 = 78) -> Never {
        var line = "authd: \(message)\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        exit(status)
    }

    static var help: String {
        """
        OVERVIEW: Authentication daemon: JSON-RPC 2.0 over a Unix socket.

        USAGE: authd [serve | migrate | backup PATH] [OPTIONS]

        COMMANDS:
          serve     Serve requests until SIGTERM or SIGINT (the default).
          migrate   Migrate the database schema and exit (for deployments that migrate separately).
          backup    Copy the SQLite database to PATH (mode 0600), consistently, while authd serves;
                    for PostgreSQL use pg_dump.

        OPTIONS (each can also be set in the environment, the env file or .env under the names shown):
        \(DaemonSettings.optionsHelp)
          -h, --help
              Show this help.
          --version
              Show the version.
        """
    }
}
