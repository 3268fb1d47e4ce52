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
        let dir = makeTestDirectory()
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
        let dir = makeTestDirectory()
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon(["--bcrypt-cost", "12"], environment: ["NOTIFY_SOCKET": notify.path], directory: dir)
        let c = try daemon.client()
        // A slow request in flight when SIGTERM arrives still gets its answer.
        try c.send(RPCRequest(id: 1, method: RPCMethod.register.rawValue,
                              params: ["username": "late", "email": "late@example.com", "password": "Passw0rd!"]).json)
        let watcher = try daemon.client()
        #expect(try await eventually { try watcher.metric(#"authd_pool_busy{pool="hash"}"#) == 1 })
        kill(daemon.process.pid, SIGTERM)
        let answer = try c.receive()
        #expect(answer["result"]?["username"] == "late")
        #expect(daemon.process.waitUntilExit() == 0)
        let messages = notify.messages(until: "STOPPING=1")
        #expect(messages.contains { $0.contains("READY=1") })
        #expect(messages.contains { $0.contains("STOPPING=1") })
    }

    @Test func aConnectionThatHasNotSentItsRequestWhenSIGTERMArrivesIsStillAnswered() async throws {
        let dir = makeTestDirectory()
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon([], environment: ["NOTIFY_SOCKET": notify.path], directory: dir)
        // Connected and accepted (authd counts it open), nothing sent yet: a client of a
        // restart under load. Closing it unread would reset it and lose its request.
        let fresh = try daemon.client()
        let watcher = try daemon.client()
        #expect(try await eventually { try watcher.metric("authd_connections_open") == 2 })
        kill(daemon.process.pid, SIGTERM)
        #expect(notify.messages(until: "STOPPING=1").contains { $0.contains("STOPPING=1") })
        try fresh.send(RPCRequest(id: 1, method: RPCMethod.health.rawValue, params: [:]).json)
        #expect(try fresh.receive()["result"]?["status"] == "ok")
        #expect(daemon.process.waitUntilExit() == 0)
    }

    /// systemd's restart under socket activation: one listening socket, owned by the
    /// test as systemd owns it, passed (descriptor 3, LISTEN_FDS) to one authd after
    /// another, each stopped with SIGTERM while three clients connect and ask as fast as
    /// they can. Every connection gets its answer, from the old daemon or the new one:
    /// none is reset with its request unread (before the fix, about one in two restarts
    /// reset one: accepted as the listener closed, then closed by NIO unread).
    @Test func restartsUnderLoadOnAPassedSocketLoseNoRequest() async throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let code = """
            import json, os, signal, socket, subprocess, sys, threading, time
            program, directory, restarts = sys.argv[1], sys.argv[2], int(sys.argv[3])
            path = directory + "/authd.sock"
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(path)
            listener.listen(511)

            def start():
                # As systemd passes it: descriptor 3, LISTEN_FDS=1, LISTEN_PID the daemon's own.
                return subprocess.Popen(
                    ["/bin/sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"', program,
                     "--database", f"sqlite:{directory}/authd.db"],
                    pass_fds=(3,), preexec_fn=lambda: os.dup2(listener.fileno(), 3),
                    stdout=subprocess.DEVNULL, stderr=open(directory + "/authd.log", "ab"))

            stop = threading.Event()
            clients = [{"answered": 0, "dropped": 0, "errors": 0} for _ in range(3)]

            def ask(counts):
                while not stop.is_set():
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.settimeout(30)
                    try:
                        s.connect(path)
                        s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"system.health"}\\n')
                        data = b""
                        while not data.endswith(b"\\n"):
                            chunk = s.recv(65536)
                            if not chunk:
                                raise EOFError
                            data += chunk
                        counts["answered" if b'"result"' in data else "errors"] += 1
                    except (OSError, EOFError):
                        counts["dropped"] += 1
                    finally:
                        s.close()

            def answered_since(before, timeout=60):
                deadline = time.monotonic() + timeout
                while not all(c["answered"] > b for c, b in zip(clients, before)):
                    if time.monotonic() > deadline:
                        return False
                    time.sleep(0.005)
                return True

            daemon = start()
            threads = [threading.Thread(target=ask, args=(c,)) for c in clients]
            for t in threads:
                t.start()
            exits, served = [], 0
            for _ in range(restarts):
                # Each daemon answers every client before it is stopped.
                served += answered_since([c["answered"] for c in clients])
                daemon.send_signal(signal.SIGTERM)
                exits.append(daemon.wait())
                daemon = start()
            served += answered_since([c["answered"] for c in clients])
            stop.set()
            for t in threads:
                t.join()
            daemon.send_signal(signal.SIGTERM)
            exits.append(daemon.wait())
            total = {k: sum(c[k] for c in clients) for k in ("answered", "dropped", "errors")}
            print(json.dumps({**total, "served": served, "exits": sorted(set(exits))}))
            """
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LISTEN_") }
        environment["JWT_SECRET_KEY"] = testSecret
        let restarts = 25
        let r = try run("/usr/bin/python3", ["-c", code, TestAuthd.program, dir, "\(restarts)"], environment: environment)
        let result = try JSONParser.parse(r.stdout)
        #expect(result["dropped"] == 0, "\(r.stdout) \(r.stderr)")
        #expect(result["errors"] == 0, "\(r.stdout)")
        #expect(result["served"]?.int64 == Int64(restarts + 1), "every daemon answered every client: \(r.stdout)")
        #expect(result["exits"] == [0], "\(r.stdout)")
    }

    @Test func watchdogPingsWhenWatchdogUsecIsSet() async throws {
        let dir = makeTestDirectory()
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon([], environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"], directory: dir)
        let messages = notify.messages(until: "WATCHDOG=1")
        #expect(messages.contains { $0.contains("WATCHDOG=1") })
        #expect(daemon.stop() == 0)
    }
}
}
