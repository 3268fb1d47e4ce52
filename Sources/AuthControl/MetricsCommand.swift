import ArgumentParser
import AuthInterface

/// `authctl metrics`: the Prometheus exposition, as a scraper would see it.
struct MetricsCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the daemon's Prometheus metrics (root, authd-admins and the gateway's group)."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let result = try options.connect().call(.metrics)
        options.emit(result) { result in
            // The exposition already ends its last line; print adds one.
            let text = Render.field(result, "text")
            return text.hasSuffix("\n") ? String(text.dropLast()) : text
        }
    }
}
