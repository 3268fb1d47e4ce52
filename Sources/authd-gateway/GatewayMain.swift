import AuthGateway
import AuthInterface
import AuthSettings
import Foundation
import Logging

/// authd-gateway: the original Flask app's REST API over authd's Unix socket. Its
/// command line is read against `GatewaySettings`, which also writes `--help`.
@main
enum GatewayCommand {
    static func main() async {
        let options: GatewayConfiguration.Options
        do {
            options = try .init(CommandLine.arguments.dropFirst())
        } catch {
            fail("\(error); see authd-gateway --help")
        }
        switch options.request {
        case .help: print(help)
        case .version: print(authdVersion)
        case .run:
            let config: GatewayConfiguration
            do {
                try Gateway.refuseRoot(euid: geteuid())
                config = try GatewayConfiguration.resolve(options, environment: ProcessInfo.processInfo.environment, uid: getuid())
                if config.socketIsDefault { try RuntimeDirectory.check(directoryOf: config.socketPath, create: false) }
            } catch {
                fail("\(error)")
            }
            Gateway.bootstrapLogging(level: config.logLevel, environment: ProcessInfo.processInfo.environment)
            do {
                try await Gateway(configuration: config, logger: Logger(label: "authd-gateway")).run()
            } catch let error as GatewayConfiguration.Invalid {
                fail("\(error)")  // a busy port, named
            } catch {
                FileHandle.standardError.write(Data("authd-gateway: \(error)\n".utf8))
                exit(1)
            }
        }
    }

    /// EX_CONFIG (78), usage errors included: systemd should not restart in a loop.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("authd-gateway: \(message)\n".utf8))
        exit(78)
    }

    static var help: String {
        """
        OVERVIEW: HTTP gateway to authd: the Flask app's REST routes, translated into JSON-RPC calls.

        USAGE: authd-gateway [OPTIONS]

        Under systemd socket activation the gateway serves the socket it is passed and ignores --listen.

        OPTIONS (each can also be set in the environment under the name shown):
        \(GatewaySettings.optionsHelp)
          -h, --help
              Show this help.
          --version
              Show the version.
        """
    }
}
