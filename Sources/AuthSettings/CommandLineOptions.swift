/// A program's command line read against its settings table: `--name VALUE`,
/// `--name=VALUE`, `--help`, `--version` and an optional leading subcommand. Anything
/// else is a usage error, which the programs exit with as EX_CONFIG (78), like every other
/// configuration error, so that a typo in a unit's drop-in cannot make a restart loop.
@dynamicMemberLookup
public struct CommandLineOptions<Table: SettingsTable>: Sendable {
    public enum Request: Sendable, Equatable {
        case run
        case help
        case version
    }

    public var request = Request.run
    public var subcommand: String?
    /// The one argument a subcommand takes (`authd backup PATH`).
    public var operand: String?
    /// Values by option name (without `--`), in the order given.
    public var values: [String: [String]] = [:]

    /// None given.
    public init() {}

    /// `withOperand` names the subcommands that take one argument right after their name.
    public init(_ arguments: some Sequence<String>, subcommands: [String] = [], withOperand: [String] = []) throws(SettingError) {
        let settings = Table.all
        var rest = Array(arguments)[...]
        if let first = rest.first, !first.hasPrefix("-") {
            guard subcommands.contains(first) else {
                throw SettingError("unknown command '\(first)'" + (subcommands.isEmpty ? "" : "; commands: \(subcommands.joined(separator: ", "))"))
            }
            subcommand = first
            rest = rest.dropFirst()
            if withOperand.contains(first) {
                guard let operand = rest.first, !operand.hasPrefix("-") else { throw SettingError("\(first) needs a path") }
                self.operand = operand
                rest = rest.dropFirst()
            }
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "-h", "--help": request = .help; continue
            case "--version": request = .version; continue
            default: break
            }
            guard argument.hasPrefix("--"), argument.count > 2 else { throw SettingError("unexpected argument '\(argument)'") }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let setting = settings.first(where: { $0.option == name }) else {
                throw SettingError("unknown option '--\(name)'")
            }
            guard let text = value ?? rest.popFirst() else { throw SettingError("--\(name) needs a value (\(setting.valueName))") }
            if setting.isList { values[name, default: []].append(text) } else { values[name] = [text] }
        }
    }
}

extension CommandLineOptions {
    /// A value as it would be typed after the option (for tests and callers that build a command line).
    public subscript<Value>(dynamicMember key: KeyPath<Table, Setting<Value>>) -> String? {
        get { Table()[keyPath: key].option.flatMap { values[$0]?.last } }
        set { if let option = Table()[keyPath: key].option { values[option] = newValue.map { [$0] } } }
    }

    /// A repeatable option's values.
    public subscript<Item>(dynamicMember key: KeyPath<Table, Setting<[Item]>>) -> [String] {
        get { Table()[keyPath: key].option.flatMap { values[$0] } ?? [] }
        set { if let option = Table()[keyPath: key].option { values[option] = newValue } }
    }
}
