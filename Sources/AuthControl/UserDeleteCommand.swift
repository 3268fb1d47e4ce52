import ArgumentParser
import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `authctl user delete USER`: deletes a user, which also revokes their tokens.
struct UserDeleteCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a user and revoke their tokens.",
        discussion: "On a terminal it asks first; --yes does not. Without a terminal it proceeds, as scripts expect."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: UserReference.help)
    var user: UserReference

    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.")
    var yes = false

    func run() throws {
        let daemon = try options.connect()
        let id = try user.id(on: daemon)
        if !yes, isatty(STDIN_FILENO) == 1 {
            let name = Render.field(try daemon.call(.usersGet, RPCMethod.usersGet.params([.id: .int(id)])), "username")
            FileHandle.standardError.write(Data("Delete user \(id) (\(name)) and revoke their tokens? [y/N] ".utf8))
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                throw ControlError.refused("user \(id) not deleted")
            }
        }
        let result = try daemon.call(.usersDelete, RPCMethod.usersDelete.params([.id: .int(id)]))
        options.emit(result) { _ in "deleted user \(id)" }
    }
}
