import AuthInterface
import AuthJSON
import Foundation

/// Why a command failed, and so which exit status it ends with.
enum ControlError: Error {
    /// The daemon answered with an error: exit 1.
    case daemon(RPCError)
    /// Some rows of an import were refused (each already reported on stdout): exit 1.
    case refused(String)
    /// The input given to authctl is unusable (a file, a prompt, stdin): exit 2, like a usage error.
    case usage(String)
    /// The daemon cannot be reached, or the connection broke: exit 3.
    case unreachable(String)

    var exitCode: Int32 {
        switch self {
        case .daemon, .refused: 1
        case .usage: 2
        case .unreachable: 3
        }
    }

    /// The lines for stderr: `authctl: <message>`, then what the daemon said about each field.
    var report: String {
        switch self {
        case .daemon(let error): "authctl: " + Self.describe(error, separator: "\n  ")
        case .refused(let message), .usage(let message), .unreachable(let message): "authctl: " + message
        }
    }

    /// A daemon error as text: the message, then the field messages of a -32602 and the
    /// wait of a -32029 or -32050, joined by `separator` (a line break for stderr, "; " for
    /// the one-line import report).
    static func describe(_ error: RPCError, separator: String) -> String {
        var parts = [error.message]
        if error.code == RPCErrorCode.invalidParams.rawValue, let fields = error.data["fields"]?.object {
            for name in fields.keys.sorted() {
                for message in fields[name]?.array ?? [] {
                    parts.append("\(name): \(message.string ?? message.text)")
                }
            }
        }
        if let seconds = error.data["retry_after"]?.int64 {
            parts.append("retry after \(seconds) s")
        }
        return parts.joined(separator: separator)
    }

    /// Writes the report to stderr; stdout stays for results, so pipelines see only those.
    func print() {
        FileHandle.standardError.write(Data((report + "\n").utf8))
    }
}
