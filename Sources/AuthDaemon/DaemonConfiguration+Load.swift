import AuthSettings
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

extension DaemonConfiguration {
    /// Resolves the configuration from the command line over the process's environment
    /// over the environment file (`--env-file` or `AUTHD_ENV_FILE`) over `./.env`. Called
    /// at start and again on SIGHUP: the environment of a running process never changes, so
    /// a reload takes its changes from the files. A missing environment file is a warning at
    /// start; on reload it is an error, so that the settings it held are not silently dropped.
    public static func load(_ o: Overrides, environment: [String: String] = ProcessInfo.processInfo.environment,
                            reloading: Bool = false, uid: UInt32 = getuid()) throws -> DaemonConfiguration {
        var files: [EnvFile] = []
        var warnings: [String] = []
        // Where the env file is may itself come from the command line or the environment.
        let location = try resolve(o, environment: environment, uid: uid)
        if let path = location.envFile {
            do {
                if let file = try EnvFile.named(path) {
                    files.append(file)
                    warnings += file.warnings
                } else if reloading {
                    throw MissingEnvironmentFile(path: path)
                } else {
                    warnings.append("the environment file \(path) does not exist; starting without it")
                }
            } catch let error as SettingError {
                throw ConfigurationError(error.description)
            }
        }
        let dotEnv = EnvFile.dotEnv(uid: uid)
        warnings += dotEnv.warnings
        if let file = dotEnv.file { files.append(file) }
        var config = try resolve(o, environment: environment, files: files, uid: uid)
        config.warnings = warnings + config.warnings
        return config
    }
}

/// On reload, the environment file has gone: a warning, and the configuration in force
/// stays, so that the settings the file held are not silently dropped.
struct MissingEnvironmentFile: Error, CustomStringConvertible {
    let path: String
    var description: String { "the environment file \(path) does not exist; keeping the configuration in force" }
}
