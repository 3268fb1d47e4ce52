import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension IntegrationTests {
    /// authd waiting for PostgreSQL at start, as systemd sees it.
    @Suite(.enabled(if: PostgresCluster.isInstalled)) struct StartupWaitTests {
        @Test func sigtermWhileWaitingForPostgresStopsAtOnceAndStatusIsOneLine() async throws {
            let cluster = try PostgresCluster()
            try cluster.stop()
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let notify = try NotifyListener(path: "\(dir)/notify.sock")
            let daemon = try SpawnedProcess(
                TestDaemon.authd, ["--socket", "\(dir)/authd.sock", "--database", cluster.url(), "--bcrypt-cost", "4"],
                log: "\(dir)/authd.log", environment: ["JWT_SECRET_KEY": testSecret, "NOTIFY_SOCKET": notify.path])
            let waiting = notify.messages(until: "Waiting for PostgreSQL")
            let status = try #require(waiting.first { $0.contains("Waiting for PostgreSQL") })
            // libpq's message spans lines; each line of a notification must be a KEY=value.
            #expect(status.split(separator: "\n").allSatisfy { $0.hasPrefix("STATUS=") || $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }, "\(status)")
            #expect(status.contains("\nEXTEND_TIMEOUT_USEC="))
            kill(daemon.pid, SIGTERM)
            let start = ContinuousClock.now
            #expect(await daemon.exitStatus() == 0)
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/authd.sock"))
        }
    }
}
