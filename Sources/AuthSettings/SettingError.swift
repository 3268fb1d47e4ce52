/// A setting that cannot work, in one line that names where the bad value came from.
public struct SettingError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }

    /// What is wrong with a value, worded to follow its source's name ("must be …").
    public struct Problem: Error, Sendable {
        public let text: String
        public init(_ text: String) { self.text = text }
    }
}

/// Where a value was found, named as the person who wrote it would look for it.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    case commandLine(option: String)
    case environment(variable: String)
    case file(variable: String, path: String, line: Int)

    public var description: String {
        switch self {
        case .commandLine(let option): "--\(option)"
        case .environment(let variable): variable
        case .file(let variable, let path, let line): "\(variable) (\(path) line \(line))"
        }
    }
}

/// A value of a setting that must never be printed: descriptions show that it is set, not what it is.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "(secret)" }
    public var debugDescription: String { "(secret)" }
}
