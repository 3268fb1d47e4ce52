import ArgumentParser
import AuthDaemon

/// Brings the database schema up to date and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Migrate the database schema and exit (for deployments that migrate separately).")

    @OptionGroup var options: DaemonOptions

    func run() async throws {
        try await DaemonOptions.reportingFailure {
            let version = try await Daemon.migrate(try options.configuration())
            print("schema at version \(version)")
        }
    }
}
