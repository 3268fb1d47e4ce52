import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl user show ID`.
struct UserShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one user."
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The user's id.")
    var id: Int64

    func run() throws {
        let user = try options.connect().call(.usersGet, ["id": .int(id)])
        options.emit(user, human: Render.user)
    }
}
