#if canImport(Glibc)
import Glibc
#endif

/// A file of `KEY=value` lines, read as the Flask app's python-dotenv did: `#` comments,
/// an optional `export ` and optional quotes. Lines that are not `KEY=VALUE` are warnings
/// with their line numbers, never silently dropped.
public struct EnvFile: Sendable {
    public let path: String
    public private(set) var entries: [String: (value: String, line: Int)] = [:]
    public private(set) var warnings: [String] = []
    /// False for a `.env` read by root: secrets and groups are not taken from it.
    public let mayGrantPrivilege: Bool

    public init(path: String, text: String, mayGrantPrivilege: Bool = true) {
        (self.path, self.mayGrantPrivilege) = (path, mayGrantPrivilege)
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmed
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).trimmed }
            guard let eq = line.firstIndex(of: "="), !line[..<eq].trimmed.isEmpty else {
                warnings.append("\(path) line \(index + 1) is not KEY=VALUE; ignored")
                continue
            }
            var value = line[line.index(after: eq)...].trimmed
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.firstRange(of: " #") {
                value = value[..<hash.lowerBound].trimmed
            }
            entries[line[..<eq].trimmed] = (value, index + 1)
        }
    }

    /// The values alone.
    public var values: [String: String] { entries.mapValues(\.value) }

    /// The file an administrator named: nil when it does not exist (the caller decides
    /// whether that is a warning or an error); unreadable is an error.
    public static func named(_ path: String) throws(SettingError) -> EnvFile? {
        switch read(path, flags: 0) {
        case .missing: return nil
        case .failed(let reason): throw SettingError("cannot read the environment file \(path): \(reason)")
        case .read(let text, _): return EnvFile(path: path, text: text)
        }
    }

    /// `./.env`, read only when it is owned by this uid or root and not writable by group
    /// or others: another user who can write the working directory must not configure us.
    /// As root, its secrets and groups are ignored whatever its owner.
    public static func dotEnv(_ path: String = ".env", uid: UInt32 = getuid()) -> (file: EnvFile?, warnings: [String]) {
        switch read(path, flags: O_NOFOLLOW) {
        case .missing: return (nil, [])
        case .failed(let reason): return (nil, ["ignoring \(path): \(reason)"])
        case .read(let text, let status):
            if status.st_uid != uid && status.st_uid != 0 {
                return (nil, ["ignoring \(path): it belongs to uid \(status.st_uid), not to uid \(uid) or root"])
            }
            if status.st_mode & 0o022 != 0 {
                return (nil, ["ignoring \(path): its group or others may write it"])
            }
            let file = EnvFile(path: path, text: text, mayGrantPrivilege: uid != 0)
            return (file, file.warnings)
        }
    }

    private enum Reading {
        case missing
        case failed(String)
        case read(String, stat)
    }

    /// Opens before it checks, so that what is checked is what is read.
    private static func read(_ path: String, flags: Int32) -> Reading {
        let fd = open(path, O_RDONLY | O_CLOEXEC | flags)
        guard fd >= 0 else {
            if errno == ENOENT { return .missing }
            if errno == ELOOP { return .failed("it is a symbolic link") }
            return .failed(String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return .failed(String(cString: strerror(errno))) }
        guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFREG) else { return .failed("it is not a regular file") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return .failed(String(cString: strerror(errno))) }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failed("it is not UTF-8 text") }
        return .read(text, status)
    }
}

extension StringProtocol {
    /// Without the white space at either end.
    var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
