#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AuthSettings
import AuthWire
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Everything authd is configured with: the settings `DaemonSettings` declares, resolved
/// from command-line options, the environment, the env file and `.env`, in that order, then
/// defaults that work with no setup; and the paths that follow from them. Read a setting
/// as `config.bcryptCost`.
@dynamicMemberLookup
public struct DaemonConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public typealias Overrides = CommandLineOptions<DaemonSettings>

    public var settings: ResolvedSettings<DaemonSettings>
    public var socketPath: String
    public var database: Database
    public var stateDirectory: String
    /// systemd's credentials directory, if any.
    public var credentialsDirectory: String?
    /// Whether the database is the default one in the state directory, which authd may create.
    public var databaseIsDefault: Bool
    /// Found while reading and not used; logged once logging is set up.
    public var warnings: [String]

    public subscript<Value>(dynamicMember key: KeyPath<DaemonSettings, Setting<Value>>) -> Value {
        get { settings[dynamicMember: key] }
        set { settings[dynamicMember: key] = newValue }
    }

    /// The directories come from the real environment only: systemd's `STATE_DIRECTORY`
    /// and `CREDENTIALS_DIRECTORY`, else XDG's, else root's fixed ones.
    public static func resolve(_ o: Overrides, environment env: [String: String], files: [EnvFile] = [],
                               uid: UInt32 = getuid()) throws -> DaemonConfiguration {
        let settings: ResolvedSettings<DaemonSettings>
        do {
            settings = try ResolvedSettings(SettingLayers(commandLine: o.values, environment: env, files: files))
        } catch {
            throw ConfigurationError("\(error)")
        }
        let stateDirectory: String
        if let systemdState = env["STATE_DIRECTORY"]?.split(separator: ":").first {
            stateDirectory = String(systemdState)
        } else if uid == 0 {
            stateDirectory = "/var/lib/authd"
        } else {
            stateDirectory = (env["XDG_STATE_HOME"] ?? "\(env["HOME"] ?? "/tmp")/.local/state") + "/authd"
        }
        let database: Database
        do {
            database = try settings.databaseURL.map(Database.init(url:)) ?? .sqlite("\(stateDirectory)/authd.db")
        } catch {
            throw ConfigurationError("\(settings.source(of: \.databaseURL)!): \(error)")
        }
        return DaemonConfiguration(
            settings: settings,
            socketPath: settings.socket ?? SocketPath.default(uid: uid, environment: env),
            database: database, stateDirectory: stateDirectory, credentialsDirectory: env["CREDENTIALS_DIRECTORY"],
            databaseIsDefault: settings.databaseURL == nil, warnings: settings.warnings)
    }

    /// The brute-force settings, grouped as the domain takes them.
    public var throttle: LoginThrottleSettings {
        LoginThrottleSettings(accountLimit: self.loginAccountLimit, accountWideLimit: self.loginAccountWideLimit,
                              clientLimit: self.loginClientLimit, window: self.loginWindow, backoff: self.loginBackoff)
    }

    /// `self` with what SIGHUP may change taken from `new`.
    func applyingReloadable(from new: DaemonConfiguration) -> DaemonConfiguration {
        var applied = self
        applied.settings = settings.applyingReloadable(from: new.settings)
        return applied
    }

    /// The settings that differ between `self` and `new` but take a restart to apply.
    func restartOnlyChanges(to new: DaemonConfiguration) -> [String] {
        settings.restartOnlyChanges(to: new.settings)
    }

    /// For logs: every setting, the paths, never a secret (nor a PostgreSQL password).
    public var description: String {
        "socket_path=\(socketPath) database=\(database) state_directory=\(stateDirectory) \(settings)"
    }

    public var debugDescription: String { description }
}

/// The brute-force settings as configured (the rules themselves are the domain's `LoginThrottle`).
public struct LoginThrottleSettings: Sendable {
    public var accountLimit: Int
    public var accountWideLimit: Int
    public var clientLimit: Int
    public var window: Int
    public var backoff: Int
}

extension DaemonConfiguration {
    /// Where users are kept.
    public enum Database: Sendable, Equatable, CustomStringConvertible {
        /// An SQLite file.
        case sqlite(String)
        /// A libpq connection string (URL or key=value words), passed through untouched.
        case postgres(String)

        /// `sqlite:PATH`, SQLAlchemy's `sqlite:///relative` and `sqlite:////absolute`, a bare
        /// path, `postgresql://…` / `postgres://…` URLs, or libpq's `host=… dbname=…` words.
        public init(url: String) throws {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                self = .postgres(url)
                return
            }
            // libpq's keyword form starts with `word=`.
            if let eq = url.firstIndex(of: "="), !url[..<eq].isEmpty,
               url[..<eq].allSatisfy({ $0.isLetter || $0 == "_" }) {
                self = .postgres(url)
                return
            }
            var path = url
            if path.hasPrefix("sqlite:///") {
                path = String(path.dropFirst("sqlite:///".count))
            } else if path.hasPrefix("sqlite://") {
                path = String(path.dropFirst("sqlite://".count))
            } else if path.hasPrefix("sqlite:") {
                path = String(path.dropFirst("sqlite:".count))
            } else if path.contains("://") {
                throw ConfigurationError("unsupported database URL scheme '\(url.prefix(while: { $0 != ":" }))'; use sqlite:PATH or postgresql://…")
            }
            guard !path.isEmpty else { throw ConfigurationError("the database URL names no file") }
            self = .sqlite(path)
        }

        /// For logs: the SQLite path, or where PostgreSQL is, never a password.
        public var description: String {
            switch self {
            case .sqlite(let path): "sqlite:\(path)"
            case .postgres: "postgresql"
            }
        }
    }
}
