import AuthSettings
import Foundation
import Testing
@testable import AuthDaemon

/// The declarative settings: one table per program read by the command line, the
/// environment, the files, the errors, `--help`, reload and the logs.
@Suite struct SettingsTests {
    private func resolve(_ env: [String: String] = [:], files: [EnvFile] = [], uid: UInt32 = 1000,
                         _ change: (inout DaemonConfiguration.Overrides) -> Void = { _ in }) throws -> DaemonConfiguration {
        var o = DaemonConfiguration.Overrides()
        change(&o)
        return try DaemonConfiguration.resolve(o, environment: env, files: files, uid: uid)
    }

    private func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    @Test func anErrorNamesWhereTheBadValueCameFrom() throws {
        let env = ["AUTHD_BCRYPT_COST": "98"]
        #expect(message { _ = try resolve(env) { $0.bcryptCost = "99" } } == "--bcrypt-cost must be between 4 and 31, got 99")
        #expect(message { _ = try resolve(env) } == "AUTHD_BCRYPT_COST must be between 4 and 31, got 98")
        let file = EnvFile(path: "/etc/authd/authd.env", text: "# cost\nAUTHD_BCRYPT_COST=97\n")
        #expect(message { _ = try resolve(files: [file]) } == "AUTHD_BCRYPT_COST (/etc/authd/authd.env line 2) must be between 4 and 31, got 97")
        #expect(message { _ = try resolve { $0.logLevel = "loud" } }
            == "--log-level must be one of trace, debug, info, notice, warning, error, critical, got 'loud'")
        #expect(message { _ = try resolve { $0.databaseURL = "mysql://h/db" } }
            == "--database: unsupported database URL scheme 'mysql'; use sqlite:PATH or postgresql://…")
    }

    @Test func theCommandLineIsReadAgainstTheTable() throws {
        let o = try DaemonConfiguration.Overrides(["migrate", "--bcrypt-cost=10", "--socket", "/s.sock"], subcommands: ["serve", "migrate"])
        #expect(o.subcommand == "migrate")
        #expect(o.bcryptCost == "10")
        #expect(o.socket == "/s.sock")
        #expect(try DaemonConfiguration.Overrides(["--help"]).request == .help)
        #expect(message { _ = try DaemonConfiguration.Overrides(["--bcrypt-kost", "4"]) } == "unknown option '--bcrypt-kost'")
        #expect(message { _ = try DaemonConfiguration.Overrides(["--socket"]) } == "--socket needs a value (PATH)")
        #expect(message { _ = try DaemonConfiguration.Overrides(["srve"], subcommands: ["serve"]) } == "unknown command 'srve'; commands: serve")
        #expect(message { _ = try DaemonConfiguration.Overrides(["--jwt-secret", "x"]) } == "unknown option '--jwt-secret'",
                "a secret is never an option: argv is public in /proc")
    }

    @Test func helpListsEverySettingWithItsVariable() {
        let help = DaemonSettings.optionsHelp
        for setting in DaemonSettings.all {
            if let option = setting.option { #expect(help.contains("--\(option) \(setting.valueName)\n")) }
            for variable in setting.environment { #expect(help.contains(variable)) }
        }
        #expect(help.contains("bcrypt cost for new hashes (AUTHD_BCRYPT_COST; default 12)"))
    }

    @Test func aDescriptionNeverShowsTheSecret() throws {
        let secret = "a-signing-secret-that-must-never-be-logged-0123"
        let c = try resolve(["JWT_SECRET_KEY": secret, "AUTHD_DATABASE_URL": "postgresql://u:dbpass@h/db"])
        for text in [c.description, "\(c)", String(reflecting: c), c.settings.description, "\(c.settings)"] {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains("dbpass"), "\(text)")
        }
        #expect(c.description.contains("jwt_secret_key=(secret)"))
        #expect(c.description.contains("bcrypt_cost=12"))
        #expect(try resolve().description.contains("jwt_secret_key=unset"))
    }

    @Test func rootTakesNoSecretOrGroupFromADotEnv() throws {
        let text = "JWT_SECRET_KEY=from-dotenv-0123456789abcdef0123456789\nAUTHD_ADMIN_GROUP=nogroup\nAUTHD_IDLE_TIMEOUT=9\n"
        let asRoot = EnvFile(path: ".env", text: text, mayGrantPrivilege: false)
        let c = try resolve(files: [asRoot], uid: 0)
        #expect(c.jwtSecret == nil)
        #expect(c.adminGroup == nil)
        #expect(c.idleTimeout == 9, "other settings still come from it")
        #expect(c.warnings == [
            "ignoring AUTHD_ADMIN_GROUP in .env: as root, secrets and groups are not taken from .env",
            "ignoring JWT_SECRET_KEY in .env: as root, secrets and groups are not taken from .env",
        ])
        let asUser = try resolve(files: [EnvFile(path: ".env", text: text)])
        #expect(asUser.adminGroup == "nogroup")
        #expect(asUser.jwtSecret != nil)
    }

    @Test func aDotEnvOthersMayWriteOrOwnIsIgnored() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("authd-dotenv-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/.env"
        try "AUTHD_IDLE_TIMEOUT=9\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)
        #expect(EnvFile.dotEnv(path, uid: getuid()).file?.values == ["AUTHD_IDLE_TIMEOUT": "9"])
        chmod(path, 0o666)
        let writable = EnvFile.dotEnv(path, uid: getuid())
        #expect(writable.file == nil)
        #expect(writable.warnings == ["ignoring \(path): its group or others may write it"])
        chmod(path, 0o644)
        chown(path, 12345, 12345)
        let foreign = EnvFile.dotEnv(path, uid: 1000)
        #expect(foreign.file == nil)
        #expect(foreign.warnings == ["ignoring \(path): it belongs to uid 12345, not to uid 1000 or root"])
        unlink(path)
        symlink("/etc/hostname", path)
        #expect(EnvFile.dotEnv(path, uid: getuid()).warnings == ["ignoring \(path): it is a symbolic link"])
    }

    @Test func reloadKnowsWhatItMayChangeFromTheTable() throws {
        let old = try resolve()
        var new = old
        (new.idleTimeout, new.tokenLifetime, new.adminGroup) = (5, 60, "wheel")
        #expect(old.restartOnlyChanges(to: new) == ["token_lifetime"])
        let applied = old.applyingReloadable(from: new)
        #expect(applied.idleTimeout == 5)
        #expect(applied.adminGroup == "wheel")
        #expect(applied.tokenLifetime == old.tokenLifetime)
    }
}
