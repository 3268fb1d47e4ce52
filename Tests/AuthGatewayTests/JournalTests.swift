import AuthGateway
import AuthJSON
import AuthSystemd
import AuthTestSupport
import Logging
import Synchronization
import Testing

/// The gateway's access log as journal entries, captured where `sd_journal_sendv` would
/// take them (the same seam as authd's journal tests), in front of a real authd.
@Suite struct JournalTests {
    final class Capture: Sendable {
        let entries = Mutex<[[String: String]]>([])

        func logger() -> Logger {
            Logger(label: "authd-gateway") { label in
                JournalLogHandler(label: label, level: LogLevelBox(.info), schema: Gateway.journalSchema) { fields in
                    self.entries.withLock { $0.append(Dictionary(fields.map { ($0.name, $0.value) }) { first, _ in first }) }
                    return true
                }
            }
        }
    }

    @Test func accessLogEntriesCarryGatewayFieldsAndNeverAPasswordOrToken() async throws {
        let authd = try await TestAuthd.forGateway()
        let capture = Capture()
        let secrets = Mutex<[String]>(["Passw0rd!", "Wrong#Pass1"])
        let id = Mutex<Int64>(0)
        try await withRouter(socket: authd.socketPath, logger: capture.logger()) { c async throws in
            let account = try await c.account("alice")
            id.withLock { $0 = account.id }
            secrets.withLock { $0.append(account.token) }
            let wrong = try await c.send(.post, "/api/auth/login", json: ["username": "alice", "password": "Wrong#Pass1"])
            #expect(wrong.status == 401)
            #expect(try await c.send(.get, "/api/users/\(account.id)", token: account.token).status == 200)
        }
        let entries = capture.entries.withLock { $0 }
        let failed = try #require(entries.first { $0["AUTHD_GATEWAY_STATUS"] == "401" }, "\(entries)")
        #expect(failed["AUTHD_GATEWAY_METHOD"] == "POST")
        #expect(failed["AUTHD_GATEWAY_ROUTE"] == "/api/auth/login")
        #expect(failed["AUTHD_GATEWAY_PATH"] == "/api/auth/login")
        #expect(failed["AUTHD_GATEWAY_DURATION_US"].flatMap { Int($0) } != nil)
        #expect(failed["AUTHD_GATEWAY_CLIENT"] == "-", "in process there is no peer address")
        #expect(failed["SYSLOG_IDENTIFIER"] == "authd-gateway")
        #expect(failed["PRIORITY"] == "6")
        #expect(failed["MESSAGE"]?.hasPrefix("request ") == true)

        let user = try #require(entries.first { $0["AUTHD_GATEWAY_ROUTE"] == "/api/users/{id}" })
        #expect(user["AUTHD_GATEWAY_PATH"] == "/api/users/\(id.withLock { $0 })")
        #expect(user["AUTHD_GATEWAY_STATUS"] == "200")

        let everything = entries.flatMap { $0.map { "\($0.key)=\($0.value)" } }.joined(separator: "\n")
        for secret in secrets.withLock({ $0 }) + ["Bearer", "AUTHORIZATION"] {
            #expect(!everything.contains(secret), "\(secret) leaked")
        }
    }

    @Test func fieldNamesAreTheGatewaysOwn() {
        #expect(Gateway.journalSchema.fieldName("duration_us") == "AUTHD_GATEWAY_DURATION_US")
        #expect(Gateway.journalSchema.messageIDs.isEmpty)
    }
}
