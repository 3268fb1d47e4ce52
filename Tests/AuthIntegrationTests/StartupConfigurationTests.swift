import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What an administrator meets when the configuration is wrong, through the real
/// binary: one line naming the thing, exit 78 (EX_CONFIG, so that systemd does not
/// restart in a loop), and nothing created before the refusal.
extension IntegrationTests {
@Suite struct StartupConfigurationTests {
    /// authd run to completion in `dir`, with the test secret and nothing else of ours.
    static func authd(_ arguments: [String], in dir: String, environment extra: [String: String] = [:]) throws -> Completed {
        var env = ["PATH": "/usr/bin:/bin", "HOME": dir, "JWT_SECRET_KEY": testSecret]
        env.merge(extra) { _, new in new }
        return try run("/usr/bin/env", ["-C", dir, TestDaemon.authd] + arguments, environment: env)
    }

    /// authd stops with EX_CONFIG and exactly `line` on stderr.
    static func expectRefusal(_ arguments: [String], in dir: String, environment: [String: String] = [:], _ line: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try authd(arguments, in: dir, environment: environment)
        #expect(r.status == 78, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr == "authd: \(line)\n", sourceLocation: sourceLocation)
    }

    @Test func aBadValueNamesTheOptionOrTheVariableThatGaveIt() throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = ["--socket", "\(dir)/s.sock", "--database", "sqlite:\(dir)/a.db"]
        try Self.expectRefusal(base + ["--bcrypt-cost", "99"], in: dir, environment: ["AUTHD_BCRYPT_COST": "98"],
                               "--bcrypt-cost must be between 4 and 31, got 99")
        try Self.expectRefusal(base, in: dir, environment: ["AUTHD_BCRYPT_COST": "98"], "AUTHD_BCRYPT_COST must be between 4 and 31, got 98")
        try Self.expectRefusal(base + ["--idle-timeout", "soon"], in: dir, "--idle-timeout must be a whole number, got 'soon'")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/s.sock"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/a.db"))
    }

    @Test func aUsageErrorExits78LikeEveryOtherConfigurationError() throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.expectRefusal(["--bcrypt-kost", "4"], in: dir, "unknown option '--bcrypt-kost'; see authd --help")
        try Self.expectRefusal(["serve", "--socket"], in: dir, "--socket needs a value (PATH); see authd --help")
        let gateway = try run(binDirectory + "/authd-gateway", ["--lissen", "x"])
        #expect(gateway.status == 78)
        #expect(gateway.stderr == "authd-gateway: unknown option '--lissen'; see authd-gateway --help\n")
    }

    @Test func helpShowsTheOptionsOfServe() throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let help = try Self.authd(["--help"], in: dir)
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: authd [serve | migrate | backup PATH] [OPTIONS]"))
        #expect(help.stdout.contains("  --bcrypt-cost N\n      bcrypt cost for new hashes (AUTHD_BCRYPT_COST; default 12)"), "\(help.stdout)")
        #expect(help.stdout.contains("JWT_SECRET_KEY"))
        let gateway = try run(binDirectory + "/authd-gateway", ["--help"])
        #expect(gateway.status == 0)
        #expect(gateway.stdout.contains("  --listen HOST:PORT\n"), "\(gateway.stdout)")
    }

    @Test func aDatabaseDirectoryThatDoesNotExistIsRefusedBeforeAnythingIsCreated() throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.expectRefusal(["--socket", "\(dir)/s.sock", "--database", "sqlite:\(dir)/typo/a.db"], in: dir,
                               "the database directory \(dir)/typo does not exist (--database); create it or fix the path")
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/typo"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/s.sock"))
    }

    @Test func theDefaultStateDirectoryIsCreatedAndTheLogSaysSo() throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Self.authd(["migrate"], in: dir, environment: ["STATE_DIRECTORY": "\(dir)/state"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("schema at version "))
        #expect(r.stderr.contains("created the state directory \(dir)/state"), "\(r.stderr)")
        var status = stat()
        #expect(stat("\(dir)/state", &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700)
        #expect(FileManager.default.fileExists(atPath: "\(dir)/state/authd.db"))
    }

    @Test func aFlaskDatabaseIsNamedAndLeftAlone() throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try python("""
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("CREATE TABLE user (id INTEGER PRIMARY KEY, username VARCHAR(80), email VARCHAR(120), password_hash VARCHAR(128))")
            db.commit()
            """, ["\(dir)/app.db"])
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/app.db"))
        try Self.expectRefusal(["--socket", "\(dir)/s.sock", "--database", "sqlite:\(dir)/app.db"], in: dir,
                               "app.db is not an authd database; move users over with `authctl user import`")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/app.db")) == before)
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/s.sock"))
    }

    @Test func aMissingEnvFileIsAWarningAtStartAndARefusedReload() async throws {
        let dir = makeTestDirectory()
        let envFile = "\(dir)/authd.env"
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon(["--env-file", envFile], environment: ["NOTIFY_SOCKET": notify.path], directory: dir)
        _ = notify.messages(until: "READY=1")
        #expect(daemon.log.contains("the environment file \(envFile) does not exist; starting without it"), "\(daemon.log)")

        try "AUTHD_LOG_LEVEL=debug\nnot a setting\nAUTHD_MAX_CONNECTIONS=7\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        kill(daemon.process.pid, SIGHUP)
        _ = notify.messages(until: "READY=1")
        #expect(daemon.log.contains("\(envFile) line 2 is not KEY=VALUE; ignored"), "\(daemon.log)")
        #expect(daemon.log.contains("configuration reloaded"))
        #expect(daemon.log.contains("max_connections=7"))

        // The file goes away: the reload is refused, and what the file held stays in force.
        try FileManager.default.removeItem(atPath: envFile)
        kill(daemon.process.pid, SIGHUP)
        _ = notify.messages(until: "READY=1")
        let kept = daemon.log.split(separator: "\n").first { $0.contains("the environment file \(envFile) does not exist; keeping the configuration in force") }
        #expect(kept?.contains(" warning ") == true, "a warning: \(daemon.log)")
        _ = try daemon.client().ok(.health)
        _ = await eventually { daemon.log.contains("method=system.health") }
        #expect(daemon.log.contains("method=system.health"), "still at debug, as the file said")
    }

    @Test func aHostileDotEnvIsIgnoredWithAWarning() async throws {
        let dir = makeTestDirectory()
        // Anyone may write it: ignored, even the setting that would make nobody an administrator.
        let dotEnv = "\(dir)/.env"
        try "AUTHD_ADMIN_GROUP=nogroup\n".write(toFile: dotEnv, atomically: true, encoding: .utf8)
        chmod(dotEnv, 0o666)
        let daemon = try await TestDaemon(["--socket-group", "nogroup"], directory: dir)
        #expect(daemon.log.contains("ignoring .env: its group or others may write it"), "\(daemon.log)")
        let list = try callAsNobody(daemon.socketPath, .usersList, [:])
        #expect(list["error"]?["code"] != nil, "nobody must not be an administrator: \(list.text)")

        // Root's own, safe .env still gives no groups (nor a secret).
        chmod(dotEnv, 0o644)
        try await daemon.restart()
        #expect(daemon.log.contains("ignoring AUTHD_ADMIN_GROUP in .env: as root, secrets and groups are not taken from .env"),
                "\(daemon.log)")
        #expect(try callAsNobody(daemon.socketPath, .usersList, [:])["error"]?["code"] != nil)
    }
}
}
