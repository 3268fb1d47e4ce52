import ArgumentParser
import AuthInterface

/// `authctl health`: whether the daemon and its storage answer.
struct HealthCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that the daemon and its storage answer."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let result = try options.connect().call(.health)
        options.emit(result, human: Render.health)
    }
}
