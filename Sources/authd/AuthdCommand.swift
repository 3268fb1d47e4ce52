import ArgumentParser
import AuthDaemon

/// authd: holds user accounts and answers authentication requests on a Unix socket.
@main
struct AuthdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd",
        abstract: "Authentication daemon: JSON-RPC 2.0 over a Unix socket.",
        discussion: "Every option can also be set in the environment (or a .env file) under the name shown.",
        version: authdVersion,
        subcommands: [ServeCommand.self, MigrateCommand.self],
        defaultSubcommand: ServeCommand.self)
}
