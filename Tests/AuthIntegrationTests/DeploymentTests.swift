import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import AuthWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The access policy and reload as deployed: authd under systemd-socket-activate with
/// the socket unit's own mode and group, authctl as unprivileged users inside and
/// outside that group, and SIGHUP on a live daemon.
extension IntegrationTests {
@Suite struct DeploymentTests {
    /// `Key=value` settings of a unit in the repository's systemd/ directory.
    static func unitSettings(_ name: String) throws -> [String: String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
        var settings: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return settings
    }

    /// The gid of `name`, or, when this machine has no such group, a free gid standing
    /// in for it (setpriv and chown take bare numbers).
    static func gid(of name: String) -> UInt32 {
        if let group = getgrnam(name) { return group.pointee.gr_gid }
        var gid: UInt32 = 64_900
        while getgrgid(gid) != nil { gid += 1 }
        return gid
    }

    /// authctl as uid 65534 with only the given supplementary groups.
    static func authctlAs(groups: [UInt32], _ socket: String, _ arguments: [String], stdin: String? = nil) throws -> Completed {
        let groupsArgument = groups.isEmpty ? ["--clear-groups"] : ["--groups=\(groups.map(String.init).joined(separator: ","))"]
        return try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534"] + groupsArgument + [TestDaemon.authctl] + arguments
                       + ["--socket", socket], stdin: stdin, environment: AuthctlTests.environment())
    }

    /// One raw JSON-RPC line from uid 65534 with the given groups; the answer parsed.
    static func callAs(groups: [UInt32], _ socket: String, _ method: RPCMethod, _ params: [String: JSON]) throws -> JSON {
        let line = RPCRequest(id: 1, method: method.rawValue, params: params).json.text
        let code = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(sys.argv[2].encode() + b"\\n")
            print(s.makefile().readline(), end="")
            """
        let r = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--groups=\(groups.map(String.init).joined(separator: ","))",
                                             "/usr/bin/python3", "-c", code, socket, line])
        #expect(r.status == 0, "call as uid 65534 failed: \(r.stderr)")
        return try JSONParser.parse(r.stdout)
    }

    @Test func socketUnitModeAndGroupLetMembersLogInAndKeepOthersOut() async throws {
        let socketUnit = try Self.unitSettings("authd.socket")
        #expect(socketUnit["ListenStream"] == "/run/authd/authd.sock")
        let mode = try #require(socketUnit["SocketMode"].flatMap { mode_t($0, radix: 8) })
        #expect(mode == 0o660)
        let clients = Self.gid(of: try #require(socketUnit["SocketGroup"]))

        // The unit's socket, under a test directory so that it never meets a real authd.
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let socketPath = "\(dir)/authd.sock"
        // Behind a small parent that stays: systemd-socket-activate closes every other
        // descriptor before it execs authd, among them the one Foundation watches to learn
        // that a child exited, and Foundation would then wait for authd and nothing else.
        // The parent unblocks the signals Foundation leaves blocked, so SIGTERM reaches it.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = ["-c", """
            import signal, subprocess, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            child = subprocess.Popen(sys.argv[1:])
            signal.signal(signal.SIGTERM, lambda *_: child.terminate())
            sys.exit(child.wait())
            """, "/usr/bin/systemd-socket-activate", "-l", socketPath, "-E", "JWT_SECRET_KEY", TestDaemon.authd,
                       "--database", "sqlite:\(dir)/a.db", "--bcrypt-cost", "4"]
        var env = ProcessInfo.processInfo.environment
        env["JWT_SECRET_KEY"] = testSecret
        p.environment = env
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        defer {
            p.terminate()
            p.waitUntilExit()
        }
        // Listening, not only bound (the file exists from bind(), before listen()); the
        // probe's connection starts authd, as any first client's would.
        #expect(await eventually { UnixSocket.isAnswering(socketPath) })
        // What systemd does with SocketUser=root, SocketGroup= and SocketMode=.
        #expect(chown(socketPath, 0, clients) == 0)
        #expect(chmod(socketPath, mode) == 0)

        let admin = try AuthClient(path: socketPath)
        _ = try admin.register("alice", password: "Alice#Pass1")
        let bob = try admin.register("bob", password: "Bob#Pass12")

        // A member of the client group logs in and sees itself, but not bob.
        let login = try Self.authctlAs(groups: [clients], socketPath, ["login", "--username", "alice", "--password-stdin"],
                                       stdin: "Alice#Pass1\n")
        #expect(login.status == 0, "login failed: \(login.stderr)")
        let token = login.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("eyJ"))
        let other = try Self.authctlAs(groups: [clients], socketPath, ["user", "show", String(bob), "--token", token])
        // Forbidden: EX_NOPERM.
        #expect(other.status == 77, "authctl: \(other.stderr)")
        let raw = try Self.callAs(groups: [clients], socketPath, .usersGet, ["id": .int(bob), "token": .string(token)])
        #expect(raw["error"]?["code"] == -32003, "got \(raw.text)")
        #expect(raw["error"]?["data"]?["status"] == 403)

        // Not in the group: the kernel refuses the connection before authd sees it.
        let outsider = try Self.authctlAs(groups: [], socketPath, ["health"])
        #expect(outsider.status == 3, "expected exit 3 (unreachable), got \(outsider.status): \(outsider.stderr)")
        #expect(outsider.stderr.contains("ermission denied"), "got: \(outsider.stderr)")
        #expect(outsider.stderr.hasSuffix("\nhint: only root and members of the authd-clients group may connect to \(socketPath) "
                                          + "(`usermod -aG authd-clients $USER`, then log in again)\n"), "got: \(outsider.stderr)")
    }

    /// libpq and the twenty libraries it needs are loaded only for a PostgreSQL URL: a
    /// daemon on SQLite starts without mapping them (launch time and memory, README).
    @Test func libpqIsLoadedOnlyForAPostgreSQLDatabase() async throws {
        let daemon = try await TestDaemon()
        #expect(try daemon.client().ok(.health)["status"] == "ok")
        let file = try #require(FileHandle(forReadingAtPath: "/proc/\(daemon.process.pid)/maps"))
        let maps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
        #expect(maps.contains("/libc.so"), "the maps were not read")
        #expect(maps.contains("/libpq.so") == TestBackend.isPostgres, "\(daemon.databaseURL)")
        if !TestBackend.isPostgres { #expect(!maps.contains("/libssl.so"), "authd needs only libcrypto") }
    }

    @Test func sighupChangesTheLogLevelWithoutDroppingAConnection() async throws {
        let dir = makeTestDirectory()
        let envFile = "\(dir)/authd.env"
        try "AUTHD_LOG_LEVEL=info\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon(["--env-file", envFile], environment: ["NOTIFY_SOCKET": notify.path], directory: dir)
        _ = notify.messages(until: "READY=1")
        let client = try daemon.client()
        _ = try client.ok(.health)
        #expect(!daemon.log.contains("method=system.health"), "info logs no request lines")

        try "AUTHD_LOG_LEVEL=debug\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        kill(daemon.process.pid, SIGHUP)
        let messages = notify.messages(until: "READY=1")
        #expect(messages.first { $0.contains("RELOADING=1") } != nil, "got \(messages)")
        #expect(messages.last?.contains("READY=1") == true, "got \(messages)")

        // The connection opened before the reload still answers, now logged at debug.
        _ = try client.ok(.health)
        for _ in 0..<100 where !daemon.log.contains("method=system.health") { try await Task.sleep(for: .milliseconds(20)) }
        #expect(daemon.log.contains("method=system.health"), "log:\n\(daemon.log)")
        #expect(daemon.log.contains("configuration reloaded"))
        #expect(daemon.process.isRunning)

        // A reload that names a group that does not exist changes nothing and keeps serving.
        try "AUTHD_LOG_LEVEL=info\nAUTHD_ADMIN_GROUP=no-such-group-authd\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        kill(daemon.process.pid, SIGHUP)
        _ = notify.messages(until: "READY=1")
        #expect(daemon.log.contains("reload failed"))
        _ = try client.ok(.health)
        #expect(daemon.process.isRunning)
    }
}
}
