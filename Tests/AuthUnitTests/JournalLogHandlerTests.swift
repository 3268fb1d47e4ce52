import AuthCore
import Foundation
import Logging
import Synchronization
import Testing
@testable import AuthDaemon
@testable import AuthSystemd

/// The journal entries authd writes, captured where `sd_journal_sendv` would take them.
@Suite struct JournalLogHandlerTests {
    /// Entries a handler sent, kept for the test to read.
    final class Capture: Sendable {
        let entries = Mutex<[[JournalLogHandler.Field]]>([])
        var sent: [[String: String]] {
            entries.withLock { $0.map { Dictionary($0.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }) } }
        }
    }

    func logger(_ capture: Capture, level: Logger.Level = .info) -> Logger {
        Logger(label: "authd") { label in
            JournalLogHandler(label: label, level: LogLevelBox(level), schema: DaemonLogging.journalSchema) { fields in
                capture.entries.withLock { $0.append(fields) }
                return true
            }
        }
    }

    @Test func failedLoginHasItsMessageIDAndStructuredFields() throws {
        let capture = Capture()
        Daemon.log(AuthEvent(.loginFailed, userID: 3, peerUID: 1000), to: logger(capture))
        let entry = try #require(capture.sent.first)
        #expect(entry["MESSAGE_ID"] == "542375cbf6644ae9bccca32af491442a")
        #expect(entry["AUTHD_EVENT"] == "login_failed")
        #expect(entry["AUTHD_USER_ID"] == "3")
        #expect(entry["AUTHD_PEER_UID"] == "1000")
        #expect(entry["AUTHD_METHOD"] == "auth.login")
        #expect(entry["PRIORITY"] == "6")
        #expect(entry["SYSLOG_IDENTIFIER"] == "authd")
        #expect(entry["MESSAGE"] == "login failed for an invalid name from uid 1000 event=login_failed method=auth.login peer_uid=1000 user_id=3")
        #expect(entry["CODE_FILE"]?.hasSuffix("Daemon.swift") == true)
    }

    @Test func everyAuditEventHasADistinctFixedMessageIDAndAMethod() {
        let ids = AuditCatalog.messageIDs
        #expect(Set(ids.values).count == ids.count)
        for id in ids.values {
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit) && id == id.lowercased(), "\(id)")
        }
        #expect(ids.count == AuthEvent.Kind.allCases.count)
        for kind in AuthEvent.Kind.allCases {
            #expect(ids[kind.rawValue] == AuditCatalog.messageID(kind), "\(kind) has no MESSAGE_ID")
            #expect(AuditCatalog.method(kind).rawValue.contains("."), "\(kind) has no method")
        }
    }

    @Test func aFailedLoginNamesTheNameTriedOnlyWhenItFitsTheRulesAndTheGatewaysClient() throws {
        let capture = Capture()
        Daemon.log(AuthEvent(.loginFailed, userID: nil, peerUID: 998, attempt: .init(tried: "bob"), client: "203.0.113.9"),
                   to: logger(capture))
        Daemon.log(AuthEvent(.loginFailed, userID: nil, peerUID: 998, attempt: .init(tried: "Secret#Pass1 oops"), client: "2001:db8::1"),
                   to: logger(capture))
        Daemon.log(AuthEvent(.loginFailed, userID: 3, peerUID: 1000, attempt: .init(tried: "bob@example.com")), to: logger(capture))
        let entries = capture.sent
        try #require(entries.count == 3)
        #expect(entries[0]["MESSAGE"]?.hasPrefix("login failed for 'bob' from 203.0.113.9 ") == true, "\(entries[0])")
        #expect(entries[0]["AUTHD_ATTEMPTED"] == "bob")
        #expect(entries[0]["AUTHD_CLIENT"] == "203.0.113.9")
        #expect(entries[1]["MESSAGE"]?.hasPrefix("login failed for an invalid name from 2001:db8::1 ") == true, "\(entries[1])")
        #expect(entries[1]["AUTHD_ATTEMPTED"] == nil)
        #expect(!entries[1].description.contains("Secret#Pass1"))
        #expect(entries[2]["MESSAGE"]?.hasPrefix("login failed for 'bob@example.com' from uid 1000 ") == true, "\(entries[2])")
    }

    @Test func everyAuditEventSaysWhatHappenedInWords() {
        for kind in AuthEvent.Kind.allCases {
            let message = AuditCatalog.message(AuthEvent(kind, userID: 7, peerUID: 0, detail: "account locked for 60 s after 5 failures"))
            #expect(message.hasSuffix(" from uid 0"), "\(kind): \(message)")
            #expect(message.contains("user 7") || kind == .loginFailed, "\(kind): \(message)")
        }
        #expect(AuditCatalog.message(AuthEvent(.register, userID: 7, peerUID: 0)) == "user 7 registered from uid 0")
        #expect(AuditCatalog.message(AuthEvent(.lockout, userID: 7, peerUID: nil, detail: "account locked for 60 s after 5 failures"))
                    == "account locked for 60 s after 5 failures (user 7)")
    }

    @Test func aLineThatIsNoAuditEventHasNoMessageID() throws {
        let capture = Capture()
        logger(capture).warning("storage slow", metadata: ["method": "users.get", "duration_us": "900"])
        let entry = try #require(capture.sent.first)
        #expect(entry["MESSAGE_ID"] == nil)
        #expect(entry["PRIORITY"] == "4")
        #expect(entry["AUTHD_METHOD"] == "users.get")
        #expect(entry["AUTHD_DURATION_US"] == "900")
    }

    @Test func metadataKeysBecomeValidJournalFieldNames() {
        let schema = DaemonLogging.journalSchema
        #expect(schema.fieldName("user_id") == "AUTHD_USER_ID")
        #expect(schema.fieldName("peer-uid.x") == "AUTHD_PEER_UID_X")
        #expect(schema.fieldName(String(repeating: "k", count: 100)).count == 64)
        #expect(JournalLogHandler.priority(.critical) == 2)
        #expect(JournalLogHandler.priority(.debug) == 7)
    }

    @Test func theSharedLevelDecidesForEveryHandlerAtOnce() {
        let capture = Capture()
        let box = LogLevelBox(.info)
        let schema = DaemonLogging.journalSchema
        var first = Logger(label: "authd") { JournalLogHandler(label: $0, level: box, schema: schema) { f in capture.entries.withLock { $0.append(f) }; return true } }
        let second = Logger(label: "authd") { JournalLogHandler(label: $0, level: box, schema: schema) { f in capture.entries.withLock { $0.append(f) }; return true } }
        second.debug("hidden")
        box.value = .debug
        second.debug("shown")
        first.logLevel = .error
        second.warning("hidden too")
        #expect(capture.sent.map { $0["MESSAGE"] } == ["shown"])
    }

    @Test func journalStreamMustNameStderr() {
        #expect(!Systemd.stderrIsJournal([:]))
        #expect(!Systemd.stderrIsJournal(["JOURNAL_STREAM": "garbage"]))
        var status = stat()
        #expect(fstat(2, &status) == 0)
        #expect(Systemd.stderrIsJournal(["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]))
        #expect(!Systemd.stderrIsJournal(["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"]))
    }
}
