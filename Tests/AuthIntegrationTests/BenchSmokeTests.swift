import AuthTestSupport
import Foundation
import Testing

/// The load generator against a live daemon, briefly: every scenario of `authd-bench
/// suite` must get no error response, so the harness behind `make bench` keeps working.
/// No timing is asserted (CI machines are shared and noisy).
extension IntegrationTests {
@Suite struct BenchSmokeTests {
    @Test func everyScenarioRunsWithoutErrors() async throws {
        let daemon = try await TestDaemon()
        // With authd's secret and a place for the commit ceiling, the session rows run too:
        // verify without sid against sid tokens, and refresh chains against the ceiling.
        let commits = TestBackend.isPostgres ? daemon.databaseURL : "sqlite:\(daemon.directory)/commit-ceiling.db"
        let r = try run("\(binDirectory)/authd-bench", [
            "suite", "--socket", daemon.socketPath, "--cost", "4", "--seconds", "1", "--warmup", "0.2",
            "--login-clients", "2", "--daemon-pid", String(daemon.process.pid),
            "--json", "\(daemon.directory)/bench.json", "--commit-database", commits,
        ], environment: ProcessInfo.processInfo.environment.merging(["JWT_SECRET_KEY": testSecret]) { $1 })
        #expect(r.status == 0, "authd-bench failed:\n\(r.stdout)\n\(r.stderr)")
        for scenario in ["auth.verify", "users.get", "users.list", "auth.login", "auth.register", "auth.verify during login flood",
                         "auth.verify without sid", "auth.refresh", "auth.refresh vs pool-size commits"] {
            #expect(r.stdout.contains(scenario), "no row for \(scenario):\n\(r.stdout)")
        }
        // Every row measured something, and the JSON agrees with the table.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(daemon.directory)/bench.json"))) as? [String: Any]
        let rows = try #require(json?["rows"] as? [[String: Any]])
        #expect(rows.count == 11)
        for row in rows {
            #expect((row["errors"] as? Int) == 0, "\(row)")
            #expect(((row["requests"] as? Int) ?? 0) > 0, "nothing measured: \(row)")
        }
    }
}
}
