import AuthSettings
import Foundation
import Testing
@testable import AuthDaemon

@Suite struct ConfigurationTests {
    private typealias Config = DaemonConfiguration

    private func resolve(_ env: [String: String], uid: UInt32 = 1000, _ change: (inout Config.Overrides) -> Void = { _ in }) throws -> Config {
        var o = Config.Overrides()
        change(&o)
        return try Config.resolve(o, environment: env, uid: uid)
    }

    @Test func rootDefaults() throws {
        let c = try resolve(["HOME": "/root"], uid: 0)
        #expect(c.socketPath == "/run/authd/authd.sock")
        #expect(c.database == .sqlite("/var/lib/authd/authd.db"))
        #expect(c.stateDirectory == "/var/lib/authd")
        #expect(c.maxRequestBytes == 1_048_576)
        #expect(c.idleTimeout == 60)
        #expect(c.maxConnections == 1024)
        #expect(c.bcryptCost == 12)
        #expect(c.tokenLifetime == 3600)
        #expect(c.logLevel == .info)
        #expect(c.adminGroup == nil)
        #expect(c.jwtSecret == nil)
    }

    @Test func rootIgnoresXDGDirectories() throws {
        let c = try resolve(["XDG_RUNTIME_DIR": "/run/user/0", "XDG_STATE_HOME": "/x"], uid: 0)
        #expect(c.socketPath == "/run/authd/authd.sock")
        #expect(c.database == .sqlite("/var/lib/authd/authd.db"))
    }

    @Test func userDefaultsWithXDG() throws {
        let c = try resolve(["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1000", "XDG_STATE_HOME": "/home/u/state"])
        #expect(c.socketPath == "/run/user/1000/authd/authd.sock")
        #expect(c.database == .sqlite("/home/u/state/authd/authd.db"))
        #expect(c.stateDirectory == "/home/u/state/authd")
    }

    @Test func userDefaultsWithoutXDG() throws {
        let c = try resolve(["HOME": "/home/u"])
        #expect(c.socketPath == "/tmp/authd-1000/authd.sock")
        #expect(c.database == .sqlite("/home/u/.local/state/authd/authd.db"))
        let empty = try resolve(["HOME": "/home/u", "XDG_RUNTIME_DIR": ""])
        #expect(empty.socketPath == "/tmp/authd-1000/authd.sock")
    }

    @Test func systemdStateDirectoryWins() throws {
        let c = try resolve(["STATE_DIRECTORY": "/var/lib/authd2:/other"], uid: 0)
        #expect(c.database == .sqlite("/var/lib/authd2/authd.db"))
    }

    @Test func overrideBeatsEnvironmentBeatsDefault() throws {
        let env = ["HOME": "/h", "AUTHD_SOCKET": "/env.sock", "AUTHD_DATABASE_URL": "sqlite:/env.db",
                   "AUTHD_IDLE_TIMEOUT": "30", "AUTHD_BCRYPT_COST": "10", "AUTHD_ADMIN_GROUP": "wheel", "AUTHD_LOG_LEVEL": "DEBUG"]
        let fromEnv = try resolve(env)
        #expect(fromEnv.socketPath == "/env.sock")
        #expect(fromEnv.database == .sqlite("/env.db"))
        #expect(fromEnv.idleTimeout == 30)
        #expect(fromEnv.bcryptCost == 10)
        #expect(fromEnv.adminGroup == "wheel")
        #expect(fromEnv.logLevel == .debug)
        #expect(fromEnv.maxConnections == 1024)

        let overridden = try resolve(env) {
            $0.socket = "/opt.sock"
            $0.databaseURL = "/opt.db"
            $0.idleTimeout = "5"
            $0.bcryptCost = "11"
            $0.adminGroup = "admins"
            $0.logLevel = "error"
        }
        #expect(overridden.socketPath == "/opt.sock")
        #expect(overridden.database == .sqlite("/opt.db"))
        #expect(overridden.idleTimeout == 5)
        #expect(overridden.bcryptCost == 11)
        #expect(overridden.adminGroup == "admins")
        #expect(overridden.logLevel == .error)
    }

    @Test func databaseURLIsTheFallback() throws {
        #expect(try resolve(["DATABASE_URL": "sqlite:////srv/app.db"]).database == .sqlite("/srv/app.db"))
        let both = try resolve(["DATABASE_URL": "sqlite:////srv/app.db", "AUTHD_DATABASE_URL": "sqlite:/mine.db"])
        #expect(both.database == .sqlite("/mine.db"))
    }

    @Test func sqliteURLForms() throws {
        #expect(try Config.Database(url: "sqlite:///rel.db") == .sqlite("rel.db"))
        #expect(try Config.Database(url: "sqlite:////abs.db") == .sqlite("/abs.db"))
        #expect(try Config.Database(url: "sqlite:/abs.db") == .sqlite("/abs.db"))
        #expect(try Config.Database(url: "sqlite:rel.db") == .sqlite("rel.db"))
        #expect(try Config.Database(url: "/plain/path.db") == .sqlite("/plain/path.db"))
    }

    @Test func postgresURLsAndKeywordStringsSelectPostgres() throws {
        #expect(try Config.Database(url: "postgresql://u:p@localhost/db") == .postgres("postgresql://u:p@localhost/db"))
        #expect(try Config.Database(url: "postgres://localhost/db") == .postgres("postgres://localhost/db"))
        #expect(try Config.Database(url: "host=/run/postgresql dbname=auth") == .postgres("host=/run/postgresql dbname=auth"))
        #expect(try resolve(["DATABASE_URL": "postgresql://localhost/auth"]).database == .postgres("postgresql://localhost/auth"))
        #expect(Config.Database.postgres("postgresql://u:secret@h/db").description.contains("secret") == false)
    }

    @Test func otherSchemesAreRefused() {
        #expect(throws: ConfigurationError.self) { try Config.Database(url: "mysql://localhost/db") }
        #expect(throws: ConfigurationError.self) { try Config.Database(url: "sqlite:///") }
    }

    @Test func badNumbersAreRefused() {
        for value in ["abc", "", "1.5", "0", "86401", "-1"] {
            #expect(throws: ConfigurationError.self, "\(value)") { try resolve(["AUTHD_IDLE_TIMEOUT": value]) }
        }
        #expect(throws: ConfigurationError.self) { try resolve([:]) { $0.idleTimeout = "0" } }
        #expect(throws: ConfigurationError.self) { try resolve(["AUTHD_BCRYPT_COST": "3"]) }
        #expect(throws: ConfigurationError.self) { try resolve(["AUTHD_MAX_REQUEST_BYTES": "100"]) }
        #expect(throws: ConfigurationError.self) { try resolve(["AUTHD_LOG_LEVEL": "loud"]) }
    }

    @Test func edgesOfRangesAreAccepted() throws {
        #expect(try resolve(["AUTHD_IDLE_TIMEOUT": "1"]).idleTimeout == 1)
        #expect(try resolve(["AUTHD_IDLE_TIMEOUT": "86400"]).idleTimeout == 86400)
        #expect(try resolve(["AUTHD_BCRYPT_COST": "4"]).bcryptCost == 4)
    }

    @Test func errorMessageNamesTheVariable() throws {
        do {
            _ = try resolve(["AUTHD_IDLE_TIMEOUT": "soon"])
            Issue.record("expected an error")
        } catch let error as ConfigurationError {
            #expect(error.description == "AUTHD_IDLE_TIMEOUT must be a whole number, got 'soon'")
        }
    }

    @Test func jwtSecretComesFromTheEnvironment() throws {
        #expect(try resolve(["JWT_SECRET_KEY": "s3cret"]).jwtSecret?.value == "s3cret")
    }

    @Test func dotEnvParsesCommentsExportAndQuotes() {
        let text = """
            # a comment
            PLAIN=value
              SPACED = spaced value
            export EXPORTED=yes
            DOUBLE="quoted # not a comment"
            SINGLE='single'
            TRAILING=value # comment
            EMPTY=
            URL=sqlite:////var/lib/app.db
            no equals sign
            =nokey
            """
        let file = EnvFile(path: ".env", text: text)
        #expect(file.warnings == [".env line 10 is not KEY=VALUE; ignored", ".env line 11 is not KEY=VALUE; ignored"])
        #expect(file.values == [
            "PLAIN": "value", "SPACED": "spaced value", "EXPORTED": "yes", "DOUBLE": "quoted # not a comment",
            "SINGLE": "single", "TRAILING": "value", "EMPTY": "", "URL": "sqlite:////var/lib/app.db",
        ])
    }

    @Test func dotEnvLosesToTheRealEnvironment() throws {
        let file = EnvFile(path: ".env", text: "AUTHD_LOG_LEVEL=debug\nAUTHD_IDLE_TIMEOUT=7\n")
        let c = try Config.resolve(.init(), environment: ["AUTHD_LOG_LEVEL": "error"], files: [file], uid: 1000)
        #expect(c.logLevel == .error)
        #expect(c.idleTimeout == 7)
    }
}
