import ArgumentParser

/// `authctl user ...`: the users.* methods.
struct UserCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, show, change, delete, import, export, disable and reset users, set their groups, reset their MFA.",
        subcommands: [UserAddCommand.self, UserListCommand.self, UserShowCommand.self, UserUpdateCommand.self,
                      UserDeleteCommand.self, UserImportCommand.self, UserExportCommand.self, UserUnlockCommand.self,
                      UserDisableCommand.self, UserEnableCommand.self, UserGroupsCommand.self, UserResetCommand.self,
                      UserMFAResetCommand.self]
    )

    /// So that global options may also stand between `user` and its subcommand.
    @OptionGroup var options: GlobalOptions
}
