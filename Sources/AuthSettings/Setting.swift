import Logging

/// One setting, declared once: its command-line option, its environment variables, its
/// default, its help line, whether it is a secret or decides who is privileged, whether
/// SIGHUP may change it, and how its text becomes a value. Everything else (parsing the
/// command line, the environment and the files, `--help`, errors naming where a bad value
/// came from, what a reload may apply, descriptions that never show a secret) reads these.
public struct Setting<Value: Sendable & Equatable>: AnySetting {
    public let option: String?
    public let environment: [String]
    public let valueName: String
    public let help: String
    /// The default as `--help` says it; nil when there is none worth saying.
    public let defaultHelp: String?
    public let isSecret: Bool
    public let isHidden: Bool
    public let grantsPrivilege: Bool
    public let isReloadable: Bool
    /// Given more than once on the command line (or comma-separated in the environment).
    public let isList: Bool
    public let defaultValue: Value
    let parse: @Sendable ([String]) throws(SettingError.Problem) -> Value

    /// - Parameters:
    ///   - option: the long option without `--`; nil for a setting that only the environment may give (a secret).
    ///   - environment: the variables, first found wins.
    ///   - secret: never printed, and never taken from a `.env` file when running as root.
    ///   - hidden: never printed (a database URL may hold a password).
    ///   - privilege: names who is privileged (a group); like a secret, never from root's `.env`.
    ///   - reloadable: SIGHUP applies a new value; otherwise a change waits for a restart.
    public init(_ option: String?, env environment: String..., value valueName: String = "VALUE", help: String,
                default defaultValue: Value, defaultHelp: String? = nil, secret: Bool = false, hidden: Bool = false,
                privilege: Bool = false, reloadable: Bool = false,
                parse: @escaping @Sendable (String) throws(SettingError.Problem) -> Value) {
        self.init(option, environment, valueName, help, defaultValue, defaultHelp, secret, hidden || secret, privilege, reloadable, false) {
            (texts) throws(SettingError.Problem) in try parse(texts[texts.count - 1])
        }
    }

    init(_ option: String?, _ environment: [String], _ valueName: String, _ help: String, _ defaultValue: Value,
         _ defaultHelp: String?, _ secret: Bool, _ hidden: Bool, _ privilege: Bool, _ reloadable: Bool, _ list: Bool,
         parse: @escaping @Sendable ([String]) throws(SettingError.Problem) -> Value) {
        (self.option, self.environment, self.valueName, self.help) = (option, environment, valueName, help)
        (self.defaultValue, self.defaultHelp, self.isSecret, self.isHidden) = (defaultValue, defaultHelp, secret, hidden)
        self.grantsPrivilege = privilege
        (self.isReloadable, self.isList, self.parse) = (reloadable, list, parse)
    }

    public var name: String { option.map { "--\($0)" } ?? environment[0] }
}

extension AnySetting {
    /// The setting as logs and reload messages name it: `bcrypt_cost`, `jwt_secret_key`.
    public var key: String { option.map { $0.replacing("-", with: "_") } ?? environment[0].lowercased() }
}

extension Setting {
    /// A list: the option repeated, or the variable's comma-separated items.
    public static func list<Item>(_ option: String, env: String, value: String, help: String, defaultHelp: String? = nil,
                                  reloadable: Bool = false, item: @escaping @Sendable (String) throws(SettingError.Problem) -> Item) -> Setting
    where Value == [Item], Item: Sendable & Equatable {
        Setting(option, [env], value, help, [], defaultHelp, false, false, false, reloadable, true) { texts throws(SettingError.Problem) in
            try texts.map { text throws(SettingError.Problem) in try item(text) }
        }
    }
}

/// What every setting says about itself, whatever its type.
public protocol AnySetting: Sendable {
    var option: String? { get }
    var environment: [String] { get }
    var valueName: String { get }
    var help: String { get }
    var defaultHelp: String? { get }
    var isSecret: Bool { get }
    /// Never printed; every secret is hidden.
    var isHidden: Bool { get }
    var grantsPrivilege: Bool { get }
    var isReloadable: Bool { get }
    var isList: Bool { get }
    /// How errors and logs name it: the option, or for an environment-only setting its variable.
    var name: String { get }
}

/// The parsers settings share; each problem is worded to follow the setting's name.
public enum Parse {
    /// Any text, kept as given; an empty value counts as not given.
    @Sendable public static func text(_ text: String) throws(SettingError.Problem) -> String? { text.isEmpty ? nil : text }

    /// A whole number within `range`.
    public static func number(_ range: ClosedRange<Int>) -> @Sendable (String) throws(SettingError.Problem) -> Int {
        { text throws(SettingError.Problem) in
            guard let n = Int(text) else { throw SettingError.Problem("must be a whole number, got '\(text)'") }
            guard range.contains(n) else {
                throw SettingError.Problem("must be between \(range.lowerBound) and \(range.upperBound), got \(n)")
            }
            return n
        }
    }
}

extension Parse {
    /// One of swift-log's levels, in any case.
    @Sendable public static func logLevel(_ text: String) throws(SettingError.Problem) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw SettingError.Problem("must be one of trace, debug, info, notice, warning, error, critical, got '\(text)'")
        }
        return level
    }

    /// yes or no (also true/false, 1/0), in any case.
    @Sendable public static func yesNo(_ text: String) throws(SettingError.Problem) -> Bool {
        switch text.lowercased() {
        case "yes", "true", "1": return true
        case "no", "false", "0": return false
        default: throw SettingError.Problem("must be yes or no, got '\(text)'")
        }
    }
}
