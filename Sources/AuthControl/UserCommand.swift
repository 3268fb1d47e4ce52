import ArgumentParser

/// `authctl user ...`: the users.* methods.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, show, change, delete and import users.",
        subcommands: [UserAddCommand.self, UserListCommand.self, UserShowCommand.self, UserUpdateCommand.self,
                      UserDeleteCommand.self, UserImportCommand.self, UserUnlockCommand.self]
    )

    /// So that global options may also stand between `user` and its subcommand.
    @OptionGroup var options: GlobalOptions
}
