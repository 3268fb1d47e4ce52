import ArgumentParser
import AuthInterface
import AuthJSON

/// `authctl call METHOD [JSON]`: any method by name, for debugging and scripts.
struct CallCommand: ParsableCommand, OptionsCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a method by name and print its result as JSON.",
        discussion: """
            The params are sent as given; for the users.* methods, --token or $AUTHD_TOKEN \
            is added when the params carry no token. The result is pretty on a terminal and \
            one line otherwise, unless --json says which.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The method, e.g. system.health or rpc.discover.",
              completion: .list(RPCMethod.allCases.map(\.rawValue)))
    var method: String

    @Argument(help: "The params as a JSON object (default: {}).")
    var params: String?

    func validate() throws {
        _ = try parsedParams()
    }

    func run() throws {
        let params = try parsedParams()
        let daemon = try options.connect()
        // Known methods go through RPCMethod so they get the token like every other command.
        let known = RPCMethod(rawValue: method)
        let outcome = if let known {
            try daemon.outcome(known, params)
        } else {
            try daemon.outcome(method, params)
        }
        switch outcome {
        case .success(let result): print((options.json ?? .auto).format(result))
        case .failure(let error): throw daemon.failure(error, of: known, params)
        }
    }

    private func parsedParams() throws(ValidationError) -> [String: JSON] {
        guard let params else { return [:] }
        let json: JSON
        do {
            json = try JSONParser.parse(params)
        } catch {
            throw ValidationError("The params are not JSON: \(error.message).")
        }
        guard case .object(let object) = json else {
            throw ValidationError("The params must be a JSON object, not \(json.typeName).")
        }
        return object
    }
}
