import AuthCore
import AuthInterface

/// The contract's rules for the fields a command sends, checked before a password prompt so
/// that a typo in an email does not cost the typing of a password twice. The report is
/// the one the daemon would give (exit 1, "Validation failed" and each field's messages).
enum FieldCheck {
    static func account(username: String?, email: String?) throws(ControlError) {
        var fields: [String: [String]] = [:]
        if let username, case let messages = Validation.username(username), !messages.isEmpty {
            fields[ParamSpec.username.name] = messages
        }
        if let email, case let messages = Validation.email(email), !messages.isEmpty {
            fields[ParamSpec.email.name] = messages
        }
        guard fields.isEmpty else { throw .daemon(RPCError(AuthError.invalid(fields))) }
    }

    /// The rules, for `--help` beside every password option.
    static let passwordRules = "Passwords: \(ParamSpec.password.summary)."
}
