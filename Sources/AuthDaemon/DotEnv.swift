#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads a `.env` file as the Flask app did (python-dotenv): `KEY=value` lines,
/// `#` comments, an optional `export ` and optional quotes. The real environment wins.
public enum DotEnv {
    public static func load(path: String = ".env", over environment: [String: String]) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return environment }
        var merged = parse(text)
        merged.merge(environment) { _, real in real }
        return merged
    }

    static func parse(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = raw.trimmed
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).trimmed }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmed
            var value = line[line.index(after: eq)...].trimmed
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
            } else if let hash = value.firstRange(of: " #") {
                value = value[..<hash.lowerBound].trimmed
            }
            if !key.isEmpty { out[key] = value }
        }
        return out
    }
}

extension StringProtocol {
    /// Without the spaces and tabs (any Unicode white space) at either end.
    fileprivate var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
