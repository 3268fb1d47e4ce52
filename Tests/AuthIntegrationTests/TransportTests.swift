import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Section 1 of the contract: the socket, its file and its limits.
extension IntegrationTests {
@Suite struct TransportTests {
    @Test func theSocketFileIsMode0660() async throws {
        let daemon = try await TestDaemon()
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o660)
    }

    @Test func aStaleSocketFileIsReplaced() async throws {
        let dir = makeTestDirectory()
        // A socket file left by a daemon that died: bound, never unlinked, nobody listening.
        _ = try python("import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", ["\(dir)/authd.sock"])
        #expect(!TestDaemon.isSocketAnswering("\(dir)/authd.sock"))
        let daemon = try await TestDaemon([], directory: dir)
        #expect(try daemon.client().ok(.health)["status"] == "ok")
    }

    @Test func aSecondDaemonOnALiveSocketRefusesToStart() async throws {
        let daemon = try await TestDaemon()
        let second = try run(TestDaemon.authd, ["--socket", daemon.socketPath, "--database", "sqlite:\(daemon.directory)/other.db"],
                             environment: ["JWT_SECRET_KEY": testSecret, "PATH": "/usr/bin:/bin"])
        #expect(second.status != 0)
        #expect(second.stderr.contains("already answering on \(daemon.socketPath)"))
        #expect(try daemon.client().ok(.health)["status"] == "ok")
    }

    @Test func aShortSecretStopsStartup() async throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run(TestDaemon.authd, ["--socket", "\(dir)/s.sock", "--database", "sqlite:\(dir)/a.db"],
                        environment: ["JWT_SECRET_KEY": "too-short", "PATH": "/usr/bin:/bin"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("at least 32 bytes"))
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/s.sock"))
    }

    @Test func withoutASecretOneIsGeneratedOnceWithMode0600() async throws {
        let dir = makeTestDirectory()
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "CREDENTIALS_DIRECTORY")
        environment["STATE_DIRECTORY"] = "\(dir)/state"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestDaemon.authd)
        p.arguments = ["--socket", "\(dir)/s.sock", "--database", "sqlite:\(dir)/a.db", "--bcrypt-cost", "4"]
        environment.removeValue(forKey: "JWT_SECRET_KEY")
        p.environment = environment
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        defer {
            p.terminate()
            p.waitUntilExit()
            try? FileManager.default.removeItem(atPath: dir)
        }
        let c = try #require(await connectWhenAnswering("\(dir)/s.sock"))
        try c.register("secretless")
        let token = try c.login("secretless")
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(dir)/state/jwt-secret")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let secret = try String(contentsOfFile: "\(dir)/state/jwt-secret", encoding: .utf8)
        #expect(secret.utf8.count >= 32)
        let decoded = try python("import jwt, sys; print(jwt.decode(sys.argv[1], sys.argv[2], algorithms=['HS256'])['type'])", [token, secret])
        #expect(decoded == "access")
    }

    @Test func idleConnectionsAreClosed() async throws {
        let daemon = try await TestDaemon(["--idle-timeout", "1"])
        let c = try daemon.client()
        // Half a line, then silence: dropped at the idle timeout.
        try c.sendRaw(Array(#"{"jsonrpc":"2.0","#.utf8))
        let start = ContinuousClock.now
        #expect(try c.receiveLine() == nil)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func connectionsBeyondTheLimitAreRefusedPolitely() async throws {
        let daemon = try await TestDaemon(["--max-connections", "2"])
        // The start-up probe's connection holds a slot until the daemon has seen it close
        // (which may come after another connection is counted): until then a second
        // client is refused, and gives its slot back at once.
        let a = try daemon.client()
        #expect(try a.ok(.health)["status"] == "ok")
        var admitted: AuthClient?
        #expect(try await eventually {
            let b = try daemon.client()
            guard case .success(let answer)? = try? b.call(.health), answer["status"] == "ok" else { return false }
            admitted = b
            return true
        })
        let b = try #require(admitted)
        #expect(try b.ok(.health)["status"] == "ok")
        let c = try daemon.client()
        let refusal = try c.receive()
        #expect(refusal["error"]?["code"] == -32050)
        #expect(try c.receiveLine() == nil)
        // Once one leaves, a new client gets in.
        _ = consume a
        #expect(try await eventually { try b.metric("authd_connections_open") == 1 })
        #expect(try daemon.client().ok(.health)["status"] == "ok")
    }

    @Test func crlfAndALastLineWithoutNewlineAreServed() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.sendRaw(Array("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"system.health\"}\r\n".utf8))
        #expect(try c.receive()["result"]?["status"] == "ok")
        let out = try run("/usr/bin/env", ["python3", "-c", """
            import socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
            s.sendall(b'{"jsonrpc":"2.0","id":2,"method":"system.health"}'); s.shutdown(socket.SHUT_WR)
            print(s.makefile().readline(), end="")
            """, daemon.socketPath])
        #expect((try? JSONParser.parse(out.stdout))?["id"] == 2, "stdout: \(out.stdout) stderr: \(out.stderr)")
    }
}
}
