import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension IntegrationTests {
@Suite struct SystemdTests {
    @Test func socketActivationServesThePassedSocketAndNotifiesReady() async throws {
        let dir = TestDaemon.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let socketPath = "\(dir)/activated.sock"
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        // --socket names a path authd must NOT bind: the passed descriptor wins.
        p.arguments = ["-l", socketPath, "-E", "JWT_SECRET_KEY", "-E", "NOTIFY_SOCKET",
                       TestDaemon.authd, "--socket", "\(dir)/unused.sock", "--database", "sqlite:\(dir)/a.db", "--bcrypt-cost", "4"]
        var env = ProcessInfo.processInfo.environment
        env["JWT_SECRET_KEY"] = testSecret
        env["NOTIFY_SOCKET"] = notify.path
        p.environment = env
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        defer {
            p.terminate()
            p.waitUntilExit()
        }
        // systemd-socket-activate listens first and starts authd on the first connection.
        let c = try #require(await connectWhenAnswering(socketPath))
        #expect(try c.ok(.health)["status"] == "ok")
        let messages = notify.messages(until: "READY=1")
        #expect(messages.contains { $0.contains("READY=1") })
        #expect(messages.contains { $0.contains("STATUS=") })
        #expect(!FileManager.default.fileExists(atPath: "\(dir)/unused.sock"))
    }

    @Test func sigtermFinishesAndExitsZeroAfterStopping() async throws {
        let dir = TestDaemon.makeDirectory()
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon(["--bcrypt-cost", "12"], environment: ["NOTIFY_SOCKET": notify.path], directory: dir)
        let c = try daemon.client()
        // A slow request in flight when SIGTERM arrives still gets its answer.
        try c.send(RPCRequest(id: 1, method: RPCMethod.register.rawValue,
                              params: ["username": "late", "email": "late@example.com", "password": "Passw0rd!"]).json)
        try await Task.sleep(for: .milliseconds(50))
        kill(daemon.process.processIdentifier, SIGTERM)
        let answer = try c.receive()
        #expect(answer["result"]?["username"] == "late")
        daemon.process.waitUntilExit()
        #expect(daemon.process.terminationStatus == 0)
        let messages = notify.messages(until: "STOPPING=1")
        #expect(messages.contains { $0.contains("READY=1") })
        #expect(messages.contains { $0.contains("STOPPING=1") })
    }

    @Test func watchdogPingsWhenWatchdogUsecIsSet() async throws {
        let dir = TestDaemon.makeDirectory()
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon([], environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"], directory: dir)
        let messages = notify.messages(until: "WATCHDOG=1")
        #expect(messages.contains { $0.contains("WATCHDOG=1") })
        #expect(daemon.stop() == 0)
    }
}
}
