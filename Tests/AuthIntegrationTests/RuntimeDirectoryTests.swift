import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Without XDG_RUNTIME_DIR, a user's authd listens in /tmp/authd-UID, which another user
/// could create first to catch the passwords authctl sends. authd creates it 0700; all
/// three programs refuse it unless it is the caller's (or root's) and no one else may write it.
extension IntegrationTests {
@Suite struct RuntimeDirectoryTests {
    static let directory = "/tmp/authd-65534"

    /// `program` as uid 65534 in a clean environment without XDG_RUNTIME_DIR.
    static func asNobody(_ program: String, _ arguments: [String]) throws -> Completed {
        try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/env", "-i", "-C", "/tmp",
                                     "PATH=/usr/bin:/bin", "HOME=/nonexistent", "JWT_SECRET_KEY=\(testSecret)", program] + arguments)
    }

    @Test func aSquattedRuntimeDirectoryIsRefusedByAuthdAuthctlAndTheGateway() throws {
        try? FileManager.default.removeItem(atPath: Self.directory)
        defer { try? FileManager.default.removeItem(atPath: Self.directory) }
        // Another user made it first, with a socket of their own inside.
        #expect(mkdir(Self.directory, 0o755) == 0)
        #expect(chown(Self.directory, 12345, 12345) == 0)
        let refusal = "refusing the runtime directory \(Self.directory): it belongs to uid 12345, not to uid 65534 (set XDG_RUNTIME_DIR or pass --socket)"

        let authd = try Self.asNobody(TestDaemon.authd, ["--database", "sqlite:/nonexistent/a.db"])
        #expect(authd.status == 78)
        #expect(authd.stderr == "authd: \(refusal)\n")
        let authctl = try Self.asNobody(TestDaemon.authctl, ["health", "--user"])
        #expect(authctl.status == 3)
        #expect(authctl.stderr.hasPrefix("authctl: \(refusal)"), "\(authctl.stderr)")
        let gateway = try Self.asNobody(binDirectory + "/authd-gateway", [])
        #expect(gateway.status == 78)
        #expect(gateway.stderr == "authd-gateway: \(refusal)\n")

        // Its own, but others may write it: refused too.
        #expect(chown(Self.directory, 65534, 65534) == 0)
        #expect(chmod(Self.directory, 0o777) == 0)
        let writable = try Self.asNobody(TestDaemon.authctl, ["health", "--user"])
        #expect(writable.stderr.hasPrefix("authctl: refusing the runtime directory \(Self.directory): its group or others may write it"),
                "\(writable.stderr)")
    }

    @Test func authdCreatesTheRuntimeDirectoryPrivate() throws {
        try? FileManager.default.removeItem(atPath: Self.directory)
        defer { try? FileManager.default.removeItem(atPath: Self.directory) }
        // Refused later (the database directory does not exist), after the directory was made.
        let r = try Self.asNobody(TestDaemon.authd, ["--database", "sqlite:/nonexistent/a.db"])
        #expect(r.status == 78)
        #expect(r.stderr == "authd: the database directory /nonexistent does not exist (--database); create it or fix the path\n")
        var status = stat()
        #expect(stat(Self.directory, &status) == 0)
        #expect(status.st_uid == 65534)
        #expect(status.st_mode & 0o777 == 0o700)
    }
}
}
