import AuthInterface
import AuthJSON
import Foundation

/// Why a command failed, and so which exit status it ends with (the man page's EXIT STATUS).
enum ControlError: Error {
    /// The daemon answered with an error: exit 1, 77 when forbidden, 75 when it says to retry later.
    case daemon(RPCError)
    /// authd refused the caller's token; the hint says which token and what to do.
    case refusedToken(RPCError, TokenSource)
    /// An answer that is itself the failure, already printed (an inactive token): exit 1.
    case answered
    /// Some rows of an import were refused (each already reported on stdout): exit 1.
    case refused(String)
    /// The input given to authctl is unusable (a file, a prompt, stdin): exit 2, like a usage error.
    case usage(String)
    /// The daemon cannot be reached, or the connection broke: exit 3, with what to check.
    case unreachable(String, hint: String?)

    static let noPermission: Int32 = 77  // EX_NOPERM
    static let tryAgainLater: Int32 = 75  // EX_TEMPFAIL

    var exitCode: Int32 {
        switch self {
        case .daemon(let error), .refusedToken(let error, _):
            switch RPCErrorCode(rawValue: error.code) {
            case .forbidden: Self.noPermission
            case .tooManyAttempts, .unavailable: Self.tryAgainLater
            default: 1
            }
        case .answered, .refused: 1
        case .usage: 2
        case .unreachable: 3
        }
    }

    private var message: String? {
        switch self {
        case .daemon(let error), .refusedToken(let error, _): Self.describe(error, separator: "\n  ")
        case .refused(let message), .usage(let message), .unreachable(let message, _): message
        case .answered: nil
        }
    }

    private var hint: String? {
        switch self {
        case .refusedToken(_, .environment):
            "the token in $AUTHD_TOKEN was refused (expired, revoked or not authd's): log in again with "
                + "`export AUTHD_TOKEN=$(authctl login --username NAME)`, or `unset AUTHD_TOKEN` (root and authd-admins need none)"
        case .refusedToken(_, .option): "the token given with --token was refused (expired, revoked or not authd's): log in again"
        case .unreachable(_, let hint): hint
        default: nil
        }
    }

    /// The lines for stderr: `authctl: <message>`, what the daemon said about each field,
    /// then a `hint:` line where there is something to check.
    var report: String? {
        guard let message else { return nil }
        return "authctl: " + message + (hint.map { "\nhint: " + $0 } ?? "")
    }

    /// The same under `--json`: `{"error": {code, message, data}}`, the daemon's own error
    /// object where there is one; authctl's own errors have no code.
    var json: JSON? {
        guard let message else { return nil }
        switch self {
        case .daemon(let error): return ["error": error.json]
        case .refusedToken(let error, _):
            var error = error
            error.data["hint"] = hint.map { .string($0) }
            return ["error": error.json]
        default:
            var data: [String: JSON] = ["exit_status": .int(exitCode)]
            data["hint"] = hint.map { .string($0) }
            return ["error": ["code": .null, "data": .object(data), "message": .string(message)]]
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

    /// Writes the report to stderr, so that pipelines see only results on stdout; under
    /// `--json` the error object goes to stdout in the chosen style instead.
    func print(json style: JSONStyle?) {
        if let style, let json {
            Swift.print(style.format(json))
        } else if let report {
            FileHandle.standardError.write(Data((report + "\n").utf8))
        }
    }
}
