#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DaemonConfiguration {
    /// Resolves the configuration from the process's environment over the environment
    /// file (`--env-file` or `AUTHD_ENV_FILE`; a missing one counts as empty) over
    /// `./.env`. Called at start and again on SIGHUP: the environment of a running
    /// process never changes, so a reload takes its changes from the files.
    public static func load(_ o: Overrides, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DaemonConfiguration {
        var merged = DotEnv.load(over: [:])
        if let path = o.envFile ?? environment["AUTHD_ENV_FILE"], !path.isEmpty {
            merged.merge(try envFile(at: path)) { _, file in file }
        }
        merged.merge(environment) { _, real in real }
        return try resolve(o, environment: merged)
    }

    private static func envFile(at path: String) throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("cannot read the environment file \(path)")
        }
        return DotEnv.parse(text)
    }
}
