import AuthClient
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// contrib/fail2ban's filter, read by Debian's real fail2ban-regex against the lines a
/// real authd wrote for failed logins in this run.
extension IntegrationTests {
@Suite struct Fail2banTests {
    static let filter = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("contrib/fail2ban/filter.d/authd.conf").path

    @Test func theFilterFindsTheGatewaysClientOfEachFailedLoginAndNeverALocalPeer() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("bob")
        // Root is privileged, so the client it names is believed, as the gateway's is.
        _ = try c.failure(.login, ["username": "bob", "password": "Wr0ng-pass", "client": "203.0.113.9"])
        _ = try c.failure(.login, ["username": "nosuchuser", "password": "Wr0ng-pass", "client": "203.0.113.9"])
        _ = try c.failure(.login, ["username": "Secret#Pass1 typed here", "password": "Wr0ng-pass", "client": "198.51.100.7"])
        _ = try c.failure(.login, ["username": "bob", "password": "Wr0ng-pass"])
        #expect(await eventually { daemon.log.components(separatedBy: "login failed for ").count == 5 }, "\(daemon.log)")
        let log = daemon.log
        #expect(log.contains("login failed for 'bob' from 203.0.113.9"), "\(log)")
        #expect(log.contains("login failed for 'nosuchuser' from 203.0.113.9"))
        #expect(log.contains("login failed for an invalid name from 198.51.100.7"))
        #expect(log.contains("login failed for 'bob' from uid \(getuid())"))
        #expect(!log.contains("Secret#Pass1"))

        let r = try run("/usr/bin/fail2ban-regex", ["--print-all-missed", daemon.logPath, Self.filter])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Failregex: 3 total"), "\(r.stdout)")
        #expect(r.stdout.contains(" 3 matched, "), "\(r.stdout)")
        // The one it leaves is the local peer's, which has no address to ban.
        let missed = r.stdout.split(separator: "\n").filter { $0.contains(" authd: ") && $0.contains(" login failed for ") }
        #expect(!missed.isEmpty && missed.allSatisfy { $0.hasSuffix("from uid \(getuid())") }, "\(missed)")
    }
}
}
