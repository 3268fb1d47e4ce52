import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// What an operator sees: journal entries with structured fields when stderr is the
/// journal's stream, and metrics in Prometheus text through `system.metrics`.
extension IntegrationTests {
@Suite struct ObservabilityTests {
    /// The documented MESSAGE_ID of a failed login (README, "Deployment").
    static let loginFailedID = "542375cbf6644ae9bccca32af491442a"

    @Test(.enabled(if: !FileManager.default.fileExists(atPath: FakeJournal.path), "a real journald owns the socket"))
    func failedLoginIsAJournalEntryWithItsMessageIDAndFieldsAndNoSecret() async throws {
        let journal = try #require(try FakeJournal())
        let dir = makeTestDirectory()
        // stderr is this file, and JOURNAL_STREAM names it, as systemd does for a service.
        let logPath = "\(dir)/authd.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var status = stat()
        #expect(stat(logPath, &status) == 0)
        let daemon = try await TestDaemon(environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"], directory: dir)
        let client = try daemon.client()
        let alice = try client.register("alice", password: "Alice#Pass1")
        _ = try client.failure(.login, ["username": "alice", "password": "Wrong#Pass1"])
        let token = try client.login("alice", password: "Alice#Pass1")

        let entries = journal.entries { $0["MESSAGE_ID"] == Self.loginFailedID }
        let failed = try #require(entries.first { $0["MESSAGE_ID"] == Self.loginFailedID }, "entries: \(entries)")
        #expect(failed["AUTHD_EVENT"] == "login_failed")
        #expect(failed["AUTHD_USER_ID"] == String(alice))
        #expect(failed["AUTHD_PEER_UID"] == String(getuid()))
        #expect(failed["AUTHD_METHOD"] == "auth.login")
        #expect(failed["PRIORITY"] == "6")
        #expect(failed["SYSLOG_IDENTIFIER"] == "authd")
        #expect(failed["MESSAGE"]?.hasPrefix("login failed for 'alice' from uid \(getuid())") == true, "\(failed)")
        #expect(failed["AUTHD_ATTEMPTED"] == "alice")

        let registered = entries.first { $0["AUTHD_EVENT"] == "register" }
        #expect(registered?["MESSAGE_ID"] == "df87875b9fd340e88790a2e84eb21688")
        #expect(registered?["AUTHD_METHOD"] == "auth.register")
        let everything = entries.map { $0.description }.joined() + daemon.log
        for secret in ["Wrong#Pass1", "Alice#Pass1", token, "$2b$"] {
            #expect(!everything.contains(secret), "\(secret) leaked")
        }
        // The entries went to the journal, not as plain lines to stderr.
        #expect(!daemon.log.contains("login_failed"), "stderr:\n\(daemon.log)")
    }

    /// The value of one sample in Prometheus text, read by prometheus_client's parser.
    static func sample(_ name: String, in text: String) throws -> Double? {
        let code = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            values = {s.name: s.value for f in text_string_to_metric_families(sys.stdin.read()) for s in f.samples if not s.labels}
            print(values.get(sys.argv[1], "absent"))
            """
        let r = try run("/usr/bin/env", ["python3", "-c", code, name], stdin: text)
        #expect(r.status == 0, "prometheus_client could not parse the metrics: \(r.stderr)")
        return Double(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func metricsParseAsPrometheusTextAndCountEachFailedLogin() async throws {
        let daemon = try await TestDaemon()
        let client = try daemon.client()
        _ = try client.register("carol", password: "Carol#Pass1")
        func metrics() throws -> String {
            let result = try client.ok(.metrics)
            #expect(result["content_type"] == "text/plain; version=0.0.4")
            return try #require(result["text"]?.string)
        }
        let before = try #require(try Self.sample("authd_login_failures_total", in: try metrics()))
        _ = try client.failure(.login, ["username": "carol", "password": "Wrong#Pass1"])
        let text = try metrics()
        #expect(try Self.sample("authd_login_failures_total", in: text) == before + 1)
        #expect(try Self.sample("authd_throttled_total", in: text) != nil)
        #expect(try Self.sample("authd_connections_open", in: text) == 1)
        #expect(text.contains("authd_requests_total{method=\"auth.login\",outcome=\"-32001\"} 1"))
        #expect(text.contains("authd_request_duration_seconds_count{method=\"auth.register\"} 1"))
        #expect(text.contains("authd_pool_threads{pool=\"hash\"}"))
        #expect(text.contains("authd_pool_wait_seconds_bucket{pool=\"hash\""))
        #expect(text.contains("authd_pool_busy{pool=\"sqlite\"}") || text.contains("authd_pool_busy{pool=\"pg\"}"))
        #expect(text.contains("authd_auth_events_total{event=\"login_failed\"} 1"))

        // Past the account's limit (5) an attempt is throttled, and counted as such.
        for _ in 0..<5 { _ = try client.failure(.login, ["username": "carol", "password": "Wrong#Pass1"]) }
        let throttled = try metrics()
        #expect(try Self.sample("authd_throttled_total", in: throttled) == 1)
        #expect(try Self.sample("authd_login_failures_total", in: throttled) == before + 5)
        #expect(throttled.contains("authd_auth_events_total{event=\"lockout\"} 1"))
    }

    @Test func metricsAreForPrivilegedPeersAndTheMetricsGroupOnly() async throws {
        // nobody's own group stands in for the gateway's (and for the clients').
        let open = try await TestDaemon(["--socket-group", "nogroup", "--metrics-group", "nogroup"])
        let member = try callAsNobody(open.socketPath, .metrics, [:])
        #expect(member["result"]?["text"]?.string?.contains("authd_connections_open 1") == true, "got \(member.text)")

        let closed = try await TestDaemon(["--socket-group", "nogroup"])
        let outsider = try callAsNobody(closed.socketPath, .metrics, [:])
        #expect(outsider["error"]?["code"] == -32003, "got \(outsider.text)")
    }
}
}
