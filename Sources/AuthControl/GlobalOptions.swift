import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The options every command takes: where the daemon listens, how to print, which token to use.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's socket (default: $AUTHD_SOCKET, else the daemon's own default).",
                                            valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print the exact JSON result, compact, on one line.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("An access token for the user commands (default: $AUTHD_TOKEN); root needs none.",
                                            valueName: "token"))
    var token: String?

    /// The flag wins over the environment, which wins over the default.
    var socketPath: String {
        if let socket { return socket }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["AUTHD_SOCKET"], !path.isEmpty { return path }
        return Self.defaultSocketPath(uid: getuid(), environment: environment)
    }

    /// Where authd listens when told nothing; the daemon computes the same path, so the two
    /// find each other without configuration.
    static func defaultSocketPath(uid: uid_t, environment: [String: String]) -> String {
        if uid == 0 { return "/run/authd/authd.sock" }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return "\(runtime)/authd/authd.sock" }
        return "/tmp/authd-\(uid)/authd.sock"
    }

    /// An empty `AUTHD_TOKEN` counts as none, so `AUTHD_TOKEN= authctl ...` acts as root would.
    var accessToken: String? {
        if let token { return token }
        if let token = ProcessInfo.processInfo.environment["AUTHD_TOKEN"], !token.isEmpty { return token }
        return nil
    }

    /// The token that verify and logout are about: the argument, else the caller's own.
    func subjectToken(_ argument: String?) throws(ValidationError) -> String {
        guard let token = argument ?? accessToken else {
            throw ValidationError("Give a token, as the argument, --token or $AUTHD_TOKEN.")
        }
        return token
    }

    func connect() throws(ControlError) -> Daemon {
        try Daemon(path: socketPath, token: accessToken)
    }

    /// Prints a result: exactly as the daemon sent it with `--json`, else as `human` renders it.
    func emit(_ result: JSON, human: (JSON) -> String) {
        Swift.print(json ? result.text : human(result))
    }
}
