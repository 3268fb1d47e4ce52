import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `authctl mfa ...`: the token user's own TOTP (contract §9).
struct MFACommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "mfa",
        abstract: "Enroll, remove and renew your TOTP second factor and its recovery codes.",
        discussion: "Each acts for the user of --token or $AUTHD_TOKEN. An administrator removes a user's with `authctl user mfa-reset`.",
        subcommands: [MFAEnrollCommand.self, MFARemoveCommand.self, MFARecoveryCodesCommand.self]
    )

    @OptionGroup var options: GlobalOptions

    /// The caller's token, which these commands act for.
    static func token(_ options: GlobalOptions) throws(ValidationError) -> JSON {
        guard let token = options.accessToken else { throw ValidationError("Give your access token, with --token or $AUTHD_TOKEN.") }
        return .string(token)
    }

    /// A TOTP code: the option's, else asked for on the terminal.
    static func code(_ given: String?, label: String = "Code from your authenticator app") throws(ControlError) -> String {
        if let given { return given }
        return try PasswordReader.prompt(confirm: false, label: label, echo: true)
    }

    /// The current password: one line of stdin (`--password-stdin`), else asked for without echo.
    static func currentPassword(fromStdin: Bool) throws(ControlError) -> String {
        try fromStdin ? PasswordReader.fromStdin(label: "Current password") : PasswordReader.prompt(confirm: false, label: "Current password")
    }

    /// The recovery codes, one to a line, with what to do with them.
    static func recoveryCodes(_ result: JSON) -> String {
        let codes = result[ResultKey.recoveryCodes.rawValue]?.array?.compactMap(\.string) ?? []
        return "Recovery codes (each works once; keep them somewhere safe, they are not shown again):\n"
            + codes.map { "  " + $0 }.joined(separator: "\n")
    }
}

/// `authctl mfa enroll`: the password, then the QR code, the secret and the URI; then a
/// code to confirm, and the recovery codes.
struct MFAEnrollCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Enroll a TOTP authenticator app: shows a QR code, confirms a code, prints the recovery codes."
    )

    @OptionGroup var options: GlobalOptions

    @Flag(name: .customLong("password-stdin"), help: "Read the current password as one line from stdin.")
    var passwordStdin = false

    @Option(help: "The first code, instead of asking for it once the QR code is shown.")
    var code: String?

    func run() throws {
        let token = try MFACommand.token(options)
        let password = try MFACommand.currentPassword(fromStdin: passwordStdin)
        let daemon = try options.connect()
        let enrolled = try daemon.call(.totpEnroll, RPCMethod.totpEnroll.params([.token: token, .currentPassword: .string(password)]))
        let uri = Render.field(enrolled, ResultKey.otpauthURI.rawValue)
        if options.json == nil {
            // On stderr, like the prompts: stdout stays what a script reads.
            let qr = QRCode.text(for: uri) ?? ""
            FileHandle.standardError.write(Data("""
                Scan this with your authenticator app:

                \(qr)

                Or enter the secret: \(Render.field(enrolled, ResultKey.secret.rawValue))
                URI: \(uri)

                """.utf8))
        }
        let first = try MFACommand.code(code)
        let confirmed = try daemon.call(.totpConfirm, RPCMethod.totpConfirm.params([.token: token, .code: .string(first)]))
        var combined = enrolled.object ?? [:]
        combined[ResultKey.recoveryCodes.rawValue] = confirmed[ResultKey.recoveryCodes.rawValue]
        options.emit(.object(combined)) { _ in
            "TOTP is enrolled: logins now ask for a code. Your other sessions were ended.\n" + MFACommand.recoveryCodes(confirmed)
        }
    }
}

/// `authctl mfa remove [--code CODE]`: with a code, else the current password.
struct MFARemoveCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove your TOTP and recovery codes (asks for the current password unless --code is given)."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "A code from the authenticator app, instead of the password.")
    var code: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the current password as one line from stdin.")
    var passwordStdin = false

    func run() throws {
        let token = try MFACommand.token(options)
        var params = RPCMethod.totpRemove.params([.callerToken: token])
        if let code {
            params[ParamSpec.code.name] = .string(code)
        } else {
            params[ParamSpec.currentPassword.name] = .string(try MFACommand.currentPassword(fromStdin: passwordStdin))
        }
        options.emit(try options.connect().call(.totpRemove, params)) { _ in "TOTP removed: logins need the password alone." }
    }
}

/// `authctl mfa recovery-codes [--code CODE]`: a new set; the old one is void.
struct MFARecoveryCodesCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "recovery-codes",
        abstract: "Make a new set of recovery codes (for a code from the app); the old set stops working."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "A code from the authenticator app, instead of asking for it.")
    var code: String?

    func run() throws {
        let token = try MFACommand.token(options)
        let given = try MFACommand.code(code)
        let result = try options.connect().call(.recoveryRegenerate, RPCMethod.recoveryRegenerate.params([.token: token, .code: .string(given)]))
        options.emit(result) { MFACommand.recoveryCodes($0) }
    }
}

/// `authctl user mfa-reset USER`: removes a user's TOTP, for a lost device (privileged).
struct UserMFAResetCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "mfa-reset",
        abstract: "Remove a user's TOTP and recovery codes, for a lost device (privileged)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    func run() throws {
        let daemon = try options.connect()
        let id = try user.id(on: daemon)
        options.emit(try daemon.call(.totpRemove, RPCMethod.totpRemove.params([.userID: .int(id)]))) { _ in
            "removed the second factor of user \(id): their logins need the password alone"
        }
    }
}
