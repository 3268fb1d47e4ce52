import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension IntegrationTests {
    /// authd keeps token states in memory, true only while it is the SQLite file's one
    /// writer: a second daemon on the same file is refused at start (on either backend
    /// pass, since the file is named explicitly).
    @Suite struct SQLiteOwnershipTests {
        @Test func aSecondDaemonOnTheSameFileIsRefused() async throws {
            let directory = makeTestDirectory()
            let database = "sqlite:\(directory)/shared.db"
            let first = try await TestDaemon(["--database", database], directory: directory)
            // `timeout` turns a second daemon that wrongly starts serving into a failure, not a hang.
            let second = try run("/usr/bin/timeout", [
                "10", TestDaemon.authd, "--socket", "\(directory)/second.sock", "--database", database, "--bcrypt-cost", "4",
            ], environment: ["JWT_SECRET_KEY": testSecret, "PATH": "/usr/bin:/bin"])
            #expect(second.status != 0 && second.status != 124, "the second daemon ran: \(second.stderr)")
            #expect(second.stderr.contains("another authd is using it"), "\(second.stderr)")
            #expect(try first.client().ok(.health)["status"] == "ok")
            // Once the first has stopped, the file is free again.
            first.stop()
            let third = try await TestDaemon(["--database", database], directory: directory)
            #expect(try third.client().ok(.health)["status"] == "ok")
        }
    }
}
