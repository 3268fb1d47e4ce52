import ArgumentParser
import AuthDaemon
import Logging

/// Serves requests until SIGTERM or SIGINT (the default subcommand).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve requests (the default).")

    @OptionGroup var options: DaemonOptions

    func run() async throws {
        try await DaemonOptions.reportingFailure {
            let overrides = options.overrides()
            try await Daemon.run(try options.configuration(), logger: Logger(label: "authd"),
                                 reload: { try DaemonConfiguration.load(overrides) })
        }
    }
}
