import AuthCore
import Foundation
import Logging
import Testing
@testable import AuthDaemon

/// What SIGHUP re-reads and applies, and who may read metrics.
@Suite struct ReloadTests {
    func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("authd-env-\(UUID().uuidString)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theEnvironmentFileSitsUnderTheEnvironmentAndTheCommandLine() throws {
        let file = try temporaryFile("AUTHD_LOG_LEVEL=debug\nAUTHD_MAX_CONNECTIONS=7\nAUTHD_IDLE_TIMEOUT=9\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        var o = DaemonConfiguration.Overrides()
        o.idleTimeout = "11"
        let c = try DaemonConfiguration.load(o, environment: ["AUTHD_ENV_FILE": file, "AUTHD_MAX_CONNECTIONS": "8", "HOME": "/tmp"])
        #expect(c.logLevel == .debug)
        #expect(c.maxConnections == 8)
        #expect(c.idleTimeout == 11)
    }

    @Test func aMissingEnvironmentFileCountsAsEmpty() throws {
        var o = DaemonConfiguration.Overrides()
        o.envFile = "/nonexistent/authd.env"
        let c = try DaemonConfiguration.load(o, environment: ["HOME": "/tmp"])
        #expect(c.logLevel == .info)
        #expect(c.warnings.contains("the environment file /nonexistent/authd.env does not exist; starting without it"))
        #expect(throws: MissingEnvironmentFile.self, "a reload must not silently drop what the file held") {
            try DaemonConfiguration.load(o, environment: ["HOME": "/tmp"], reloading: true)
        }
    }

    @Test func reloadAppliesLevelLimitsAndGroupsAndKeepsWhatNeedsARestart() throws {
        let old = try DaemonConfiguration.resolve(.init(), environment: ["HOME": "/tmp"])
        let settings = try ReloadableSettings(old)
        var new = old
        (new.logLevel, new.maxConnections, new.maxRequestBytes, new.idleTimeout) = (.debug, 5, 4096, 3)
        (new.metricsGroup, new.bcryptCost) = ("nogroup", 4)
        let before = DaemonLogging.level.value
        defer { DaemonLogging.level.value = before }

        let applied = Daemon.reload(from: old, using: { new }, into: settings, logger: Logger(label: "test"))
        #expect(DaemonLogging.level.value == .debug)
        #expect(settings.current.limits.maxConnections == 5)
        #expect(settings.current.limits.maxRequestBytes == 4096)
        #expect(settings.current.limits.idleTimeout == .seconds(3))
        #expect(settings.current.policy.metricsGID == 65534)
        #expect(applied.maxConnections == 5)
        #expect(applied.bcryptCost == old.bcryptCost, "a new bcrypt cost needs a restart")
        #expect(old.restartOnlyChanges(to: new) == ["bcrypt_cost"])
    }

    @Test func aReloadThatFailsChangesNothing() throws {
        let old = try DaemonConfiguration.resolve(.init(), environment: ["HOME": "/tmp"])
        let settings = try ReloadableSettings(old)
        var bad = old
        (bad.adminGroup, bad.maxConnections) = ("no-such-group-authd", 1)
        let applied = Daemon.reload(from: old, using: { bad }, into: settings, logger: Logger(label: "test"))
        #expect(settings.current.limits.maxConnections == old.maxConnections)
        #expect(applied.adminGroup == nil)
        struct Unreadable: Error {}
        _ = Daemon.reload(from: old, using: { throw Unreadable() }, into: settings, logger: Logger(label: "test"))
        #expect(settings.current.limits.maxConnections == old.maxConnections)
    }

    @Test func metricsAreForPrivilegedPeersAndMembersOfTheMetricsGroup() throws {
        let policy = try PeerPolicy(adminGroup: nil, metricsGroup: "nogroup")
        #expect(policy.mayReadMetrics(Caller(uid: 0, isPrivileged: true)))
        #expect(policy.mayReadMetrics(Caller(uid: 65534, isPrivileged: false)), "nobody's primary group is nogroup")
        #expect(!policy.mayReadMetrics(Caller(uid: 1, isPrivileged: false)))
        #expect(!policy.mayReadMetrics(Caller(uid: nil, isPrivileged: false)))
        #expect(!PeerPolicy.rootOnly.mayReadMetrics(Caller(uid: 65534, isPrivileged: false)))
        #expect(throws: ConfigurationError.self) { try PeerPolicy(adminGroup: nil, metricsGroup: "no-such-group-authd") }
    }
}
