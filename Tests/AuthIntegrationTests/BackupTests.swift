import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Synchronization
import Testing

extension IntegrationTests {
    /// `authd backup PATH` (issue #15): SQLite's online backup, taken while authd serves.
    @Suite struct BackupTests {
        @Test func aBackupTakenUnderWriteLoadIsConsistentAndHoldsEveryRegistrationAcknowledgedBeforeIt() async throws {
            let daemon = try await TestDaemon()
            let backup = "\(daemon.directory)/copy.db"
            guard !TestBackend.isPostgres else {
                // PostgreSQL has pg_dump; authd says so rather than copying anything.
                let r = try run(TestDaemon.authd, ["backup", backup, "--database", daemon.databaseURL])
                #expect(r.status == 78)
                #expect(r.stderr.contains("for PostgreSQL use pg_dump"), "\(r.stderr)")
                #expect(!FileManager.default.fileExists(atPath: backup))
                return
            }
            // A writer registering without pause, counting what authd acknowledged.
            let acknowledged = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
            let socket = daemon.socketPath
            let writer = Thread {
                guard let c = try? AuthClient(path: socket) else { return }
                var n = 0
                while !stop.load(ordering: .relaxed) {
                    n += 1
                    if case .success? = try? c.call(.register, ["username": .string("load\(n)"), "email": .string("load\(n)@example.com"),
                                                                "password": "Passw0rd!"]) {
                        acknowledged.store(n, ordering: .relaxed)
                    }
                }
            }
            writer.start()
            #expect(await eventually(within: .seconds(30)) { acknowledged.load(ordering: .relaxed) >= 50 })
            let before = acknowledged.load(ordering: .relaxed)
            let r = try run(TestDaemon.authd, ["backup", backup, "--database", daemon.databaseURL])
            let after = acknowledged.load(ordering: .relaxed)
            #expect(await eventually(within: .seconds(30)) { acknowledged.load(ordering: .relaxed) >= after + 20 }, "writes went on")
            stop.store(true, ordering: .relaxed)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("backed up \(daemon.databasePath) to \(backup) ("), "\(r.stdout)")
            let mode = try FileManager.default.attributesOfItem(atPath: backup)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            // Consistent, and holding every registration acknowledged before the copy began.
            let check = try python("""
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                ok = db.execute("PRAGMA integrity_check").fetchone()[0]
                names = {r[0] for r in db.execute("SELECT username FROM users")}
                n = int(sys.argv[2])
                print(ok, all(f"load{i}" in names for i in range(1, n + 1)), len(names))
                """, [backup, String(before)])
            let parts = check.split(separator: " ")
            #expect(parts.count == 3 && parts[0] == "ok" && parts[1] == "True", "\(check)")
            #expect(Int(parts.last ?? "") ?? 0 >= before)

            // Restoring is starting authd on the copy: the users log in.
            let restored = try await TestDaemon(["--database", "sqlite:\(backup)"])
            #expect(try restored.client().isActive(restored.client().login("load1")))
        }
    }
}
