import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

/// `authctl refresh`: rotates a refresh token and prints the new access token.
struct RefreshCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Exchange a refresh token for a new access token and refresh token.",
        discussion: """
            The refresh token comes from $AUTHD_REFRESH_TOKEN, else one line of stdin (never the \
            command line, where every user could read it). Prints only the new access token; with \
            --json the whole result, whose refresh_token replaces the one used.
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let token: String
        if let given = ProcessInfo.processInfo.environment["AUTHD_REFRESH_TOKEN"], !given.isEmpty {
            token = given
        } else if let line = readLine(strippingNewline: true), !line.isEmpty {
            token = line
        } else {
            throw ValidationError("Give the refresh token in $AUTHD_REFRESH_TOKEN or on stdin.")
        }
        let result = try options.connect().call(.refresh, RPCMethod.refresh.params([.refreshToken: .string(token)]))
        options.emit(result) { Render.field($0, "access_token") }
    }
}
