import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

/// `authctl user disable USER [--reason TEXT]`: ends every session and token of the user
/// at once; their logins then fail as a wrong password does.
struct UserDisableCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable a user: every session and token of theirs ends at once (privileged)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    @Option(help: "Why, for the journal and user show (at most 200 characters).")
    var reason: String?

    func run() throws {
        let daemon = try options.connect()
        let id = try user.id(on: daemon)
        var params = RPCMethod.usersDisable.params([.id: .int(id)])
        if let reason { params[ParamSpec.reason.name] = .string(reason) }
        options.emit(try daemon.call(.usersDisable, params)) { _ in "disabled user \(id)" }
    }
}

/// `authctl user enable USER`.
struct UserEnableCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable",
        abstract: "Enable a disabled user again; none of their old tokens revives (privileged)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    func run() throws {
        let daemon = try options.connect()
        let id = try user.id(on: daemon)
        options.emit(try daemon.call(.usersEnable, RPCMethod.usersEnable.params([.id: .int(id)]))) { _ in "enabled user \(id)" }
    }
}

/// `authctl user groups USER [--set a,b | --add a | --remove b]`: shows or changes the
/// user's groups; prints them afterwards, comma-separated ("-" for none).
struct UserGroupsCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "Show, set, add or remove a user's groups (privileged)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    @Option(help: ArgumentHelp("Replace the groups with these (comma-separated; empty for none).", valueName: "GROUPS"))
    var set: String?

    @Option(help: ArgumentHelp("Add these groups (comma-separated).", valueName: "GROUPS"))
    var add: String?

    @Option(help: ArgumentHelp("Remove these groups (comma-separated).", valueName: "GROUPS"))
    var remove: String?

    func validate() throws {
        if [set, add, remove].compactMap({ $0 }).count > 1 {
            throw ValidationError("Give one of --set, --add and --remove.")
        }
    }

    static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let daemon = try options.connect()
        let id = try user.id(on: daemon)
        var groups = try daemon.call(.usersStatus, RPCMethod.usersStatus.params([.id: .int(id)]))["groups"]?.array?
            .compactMap(\.string) ?? []
        let wanted: [String]? = if let set { Self.names(set) }
            else if let add { groups + Self.names(add) }
            else if let remove { groups.filter { !Self.names(remove).contains($0) } }
            else { nil }
        var result: JSON = [ResultKey.groups.rawValue: .array(groups.map { .string($0) })]
        if let wanted {
            result = try daemon.call(.usersSetGroups, RPCMethod.usersSetGroups.params([.id: .int(id), .groups: .array(wanted.map { .string($0) })]))
            groups = result["groups"]?.array?.compactMap(\.string) ?? []
        }
        options.emit(result) { _ in groups.isEmpty ? "-" : groups.joined(separator: ",") }
    }
}

/// `authctl user reset USER [--ttl SECONDS] [--portal-url URL]`: a single-use password
/// reset token for the user, printed alone on its line (for a script, or to hand over),
/// and with the portal's address the link to its reset page on the next line.
struct UserResetCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Issue a single-use password reset token for a user and print it (privileged)."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    @Option(help: ArgumentHelp("Seconds the token is valid, 60-86400 (default 3600).", valueName: "SECONDS"))
    var ttl: Int64?

    @Option(help: ArgumentHelp("The sign-in portal's address (default: $AUTHD_PORTAL_URL); then the link to its reset page "
                               + "is printed too.", valueName: "URL"))
    var portalURL: String?

    /// The portal's address, from the flag or the environment (empty counts as none).
    private var portal: String? {
        let given = portalURL ?? ProcessInfo.processInfo.environment["AUTHD_PORTAL_URL"]
        return given.flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        guard let portal else { return }
        let lowered = portal.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), !portal.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" })
        else {
            throw ValidationError("The portal URL must be an http:// or https:// address without a query, such as https://sso.example.com.")
        }
    }

    func run() throws {
        let daemon = try options.connect()
        let id = try user.id(on: daemon)
        var params = RPCMethod.usersResetToken.params([.id: .int(id)])
        if let ttl { params[ParamSpec.ttl.name] = .int(ttl) }
        var result = try daemon.call(.usersResetToken, params)
        if let portal, let token = result[ResultKey.resetToken.rawValue]?.string, case .object(var members) = result {
            // Reset tokens are base64url: nothing in them needs escaping in a query.
            members["reset_url"] = .string((portal.hasSuffix("/") ? String(portal.dropLast()) : portal) + "/reset?token=" + token)
            result = .object(members)
        }
        options.emit(result) { result in
            [Render.field(result, ResultKey.resetToken.rawValue), result["reset_url"]?.string].compactMap { $0 }.joined(separator: "\n")
        }
    }
}
