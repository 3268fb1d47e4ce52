import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `authctl user import` at scale (issue #15): ids kept, batches, reruns, dry runs.
extension IntegrationTests.AuthctlTests {
    /// A CSV of `count` users with ids from `firstID`, all with one cost-4 hash of `Flask#Pass1`.
    static func usersCSV(_ count: Int, firstID: Int64 = 1, withIDs: Bool = true, hash: String) -> String {
        var lines = [withIDs ? "id,username,email,password_hash,created_at" : "username,email,password_hash"]
        for n in 0..<Int64(count) {
            let id = firstID + n * 2
            lines.append(withIDs ? "\(id),user\(id),user\(id)@example.com,\(hash),2020-01-01T00:00:00Z" : "user\(id),user\(id)@example.com,\(hash)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func anIDColumnIsKeptAndAFileWithoutIdsIsWarnedAboutWhenUsersExist() async throws {
        let daemon = try await TestDaemon()
        let hash = try Self.flaskHash()
        let first = try Self.authctl(daemon.socketPath, ["user", "import"], stdin: Self.usersCSV(3, firstID: 100, hash: hash))
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout == "")
        #expect(first.stderr.hasPrefix("authctl: imported 3, skipped 0, refused 0 of 3 rows in "), "\(first.stderr)")
        let c = try daemon.client()
        #expect(try c.ok(.usersGet, ["id": 104])["username"] == "user104")
        #expect(try c.isActive(c.login("user102", password: "Flask#Pass1")))
        // No ids, and users exist: said before anything is sent, and the rows still go in.
        let second = try Self.authctl(daemon.socketPath, ["user", "import"], stdin: Self.usersCSV(1, firstID: 7, withIDs: false, hash: hash))
        #expect(second.status == 0)
        #expect(second.stderr.hasPrefix("authctl: warning: the file has no id column and authd already has users"), "\(second.stderr)")
        #expect(try c.ok(.usersGet, ["username": "user7"])["id"] == 105)
        // JSON lines with ids read the same.
        let jsonl = JSON.object(["id": 300, "username": "jl300", "email": "jl300@example.com", "password_hash": .string(hash)]).text + "\n"
        let third = try Self.authctl(daemon.socketPath, ["user", "import", "--json"], stdin: jsonl)
        #expect(third.status == 0)
        #expect(try JSONParser.parse(third.stdout)["result"]?["id"] == 300)
        #expect(third.stderr == "")
    }

    @Test func anInterruptedImportRerunWithSkipExistingEndsWithEveryRowOnce() async throws {
        let daemon = try await TestDaemon()
        let total = 8_000
        let file = "\(daemon.directory)/users.csv"
        try Self.usersCSV(total, hash: try Self.flaskHash()).write(toFile: file, atomically: true, encoding: .utf8)
        let importer = try SpawnedProcess(TestDaemon.authctl, ["user", "import", file, "--batch-size", "50", "--socket", daemon.socketPath],
                                          log: "\(daemon.directory)/import.log")
        // Killed once some batches are in: those committed stay, the rest never came.
        let started = await eventually(within: .seconds(60), every: .milliseconds(5)) {
            (Int((try? daemon.sql("SELECT COUNT(*) FROM users")) ?? "") ?? 0) >= 300
        }
        #expect(started)
        kill(importer.pid, SIGKILL)
        _ = importer.waitUntilExit()
        let before = try #require(Int(try daemon.sql("SELECT COUNT(*) FROM users")))
        #expect(before < total, "the import finished before it was interrupted")

        // With --skip-existing the rerun finishes the job; a plain rerun then refuses every row.
        let rerun = try Self.authctl(daemon.socketPath, ["user", "import", file, "--skip-existing"])
        #expect(rerun.status == 0, "\(rerun.stdout)\(rerun.stderr)")
        // Batches in flight when it was killed may have committed after the count was taken.
        let counts = rerun.stderr.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(counts.count >= 4 && counts[0] + counts[1] == total && counts[1] >= before && counts[2] == 0, "\(rerun.stderr)")
        #expect(try daemon.sql("SELECT COUNT(*) FROM users") == String(total))
        #expect(try daemon.sql("SELECT COUNT(DISTINCT id) FROM users") == String(total))
        #expect(try daemon.sql("SELECT MAX(id) FROM users") == String(2 * total - 1))
        let again = try Self.authctl(daemon.socketPath, ["user", "import", file])
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("authctl: imported 0, skipped 0, refused \(total) of \(total) rows"), "\(again.stderr)")
    }

    @Test func aDryRunReportsWhatWouldHappenAndImportsNothing() async throws {
        let daemon = try await TestDaemon()
        let hash = try Self.flaskHash()
        _ = try Self.authctl(daemon.socketPath, ["user", "import"], stdin: Self.usersCSV(1, firstID: 1, hash: hash))
        let csv = Self.usersCSV(3, firstID: 1, hash: hash) + "9,bad,bad@example.com,not-a-hash,\n"
        let dry = try Self.authctl(daemon.socketPath, ["user", "import", "--dry-run"], stdin: csv)
        #expect(dry.status == 1)
        #expect(dry.stdout == """
            refused user1: Username already taken
            refused bad: Validation failed; password_hash: Not a password hash this system can verify.

            """)
        #expect(dry.stderr.hasPrefix("authctl: would import 2, skipped 0, refused 2 of 4 rows in "), "\(dry.stderr)")
        #expect(try daemon.sql("SELECT COUNT(*) FROM users") == "1")
        // The ids a dry run showed are still free.
        let real = try Self.authctl(daemon.socketPath, ["user", "import", "--skip-existing"], stdin: Self.usersCSV(3, firstID: 1, hash: hash))
        #expect(real.status == 0, "\(real.stderr)")
        #expect(try daemon.client().ok(.usersGet, ["id": 5])["username"] == "user5")
    }
}
