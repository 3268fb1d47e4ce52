/// A program's settings: a struct whose stored properties are its `Setting`s, in the
/// order `--help` lists them. Adding a property adds the option, its variables, its help
/// line and its parsing; nothing else lists them.
public protocol SettingsTable: Sendable {
    init()
}

extension SettingsTable {
    /// Every declared setting, in declaration order (read by reflection, as
    /// ArgumentParser reads its property wrappers).
    public static var all: [any AnySetting] {
        Mirror(reflecting: Self()).children.compactMap { $0.value as? any AnySetting }
    }

    /// The options part of `--help`: each option, its help, variables and default.
    public static var optionsHelp: String {
        all.map { setting in
            let head = setting.option.map { "  --\($0) \(setting.valueName)" } ?? "  (environment only)"
            var notes = setting.environment
            if let d = setting.defaultHelp { notes.append("default \(d)") }
            if setting.isList { notes.append("repeatable") }
            return "\(head)\n      \(setting.help) (\(notes.joined(separator: "; ")))"
        }.joined(separator: "\n")
    }
}

/// Where settings may come from, in precedence order: the command line, the process's
/// environment, then each file in turn; a setting with several variables takes the first
/// variable found in any of them.
public struct SettingLayers: Sendable {
    public var commandLine: [String: [String]]
    public var environment: [String: String]
    public var files: [EnvFile]
    /// Found and not used, e.g. a secret in root's `.env`.
    public private(set) var warnings: [String] = []

    public init(commandLine: [String: [String]] = [:], environment: [String: String] = [:], files: [EnvFile] = []) {
        (self.commandLine, self.environment, self.files) = (commandLine, environment, files)
    }

    /// The texts given for `setting` and where they came from; nil when none was.
    mutating func lookUp(_ setting: any AnySetting) -> (texts: [String], source: SettingSource)? {
        if let option = setting.option, let texts = commandLine[option], !texts.isEmpty {
            return (texts, .commandLine(option: option))
        }
        for variable in setting.environment {
            if let text = environment[variable] { return (items(text, setting), .environment(variable: variable)) }
            for file in files {
                guard let entry = file.entries[variable] else { continue }
                if (setting.isSecret || setting.grantsPrivilege) && !file.mayGrantPrivilege {
                    warnings.append("ignoring \(variable) in \(file.path): as root, secrets and groups are not taken from .env")
                    continue
                }
                return (items(entry.value, setting), .file(variable: variable, path: file.path, line: entry.line))
            }
        }
        return nil
    }

    private func items(_ text: String, _ setting: any AnySetting) -> [String] {
        guard setting.isList else { return [text] }
        return text.split(separator: ",").map(\.trimmed).filter { !$0.isEmpty }
    }
}
