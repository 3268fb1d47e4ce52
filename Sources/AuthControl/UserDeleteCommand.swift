import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user delete ID`: deletes a user, which also revokes their tokens.
struct UserDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a user and revoke their tokens."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The user's id.")
    var id: Int64

    func run() throws {
        let result = try options.connect().call(.usersDelete, ["id": .int(id)])
        options.emit(result) { _ in "deleted user \(id)" }
    }
}
