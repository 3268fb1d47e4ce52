import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// Issue #13 item 3: no one unprivileged uid can take every connection slot, and a
/// line trickled a byte at a time is cut at its deadline, counted from its first byte.
extension IntegrationTests {
@Suite struct ConnectionSlotTests {
    /// Run as nobody: opens `count` connections, sends `system.health` on each and reads
    /// the answer (a refused connection gets -32050 instead), prints "holding", then
    /// trickles `piece` (a space; "n" is a newline) every `interval` seconds on the admitted ones for `duration`,
    /// counting those the daemon closes. Prints its counts as JSON.
    static let trickler = """
        import json, select, socket, sys, time
        path, count, interval, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
        trickle = sys.argv[5].encode().replace(b"n", b"\\n")
        admitted, refusals = [], []
        for _ in range(count):
            s = socket.socket(socket.AF_UNIX); s.connect(path)
            try: s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"system.health"}\\n')
            except OSError: pass  # refused and closed already: its error line is still to be read
            s.settimeout(10)
            answer = json.loads(s.makefile().readline())
            if "error" in answer: refusals.append(answer["error"]["message"]); s.close()
            else: s.settimeout(None); admitted.append(s)
        print("holding", flush=True)
        cut, open_ = 0, list(admitted)
        end = time.monotonic() + duration
        while open_ and time.monotonic() < end:
            for s in list(open_):
                try:
                    s.sendall(trickle)
                except OSError:
                    cut += 1; open_.remove(s); continue
            readable, _, _ = select.select(open_, [], [], interval)
            for s in readable:
                try:
                    closed = s.recv(4096) == b""
                except OSError:  # closed with our spaces unread: reset
                    closed = True
                if closed: cut += 1; open_.remove(s)
        print(json.dumps({"admitted": len(admitted), "refusals": refusals, "cut": cut}), flush=True)
        """

    /// Starts the trickler as nobody; its output goes to `log`.
    static func trickle(
        _ daemon: TestDaemon, count: Int, interval: Double, duration: Double, piece: String = " ", log: String
    ) throws -> SpawnedProcess {
        try SpawnedProcess("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", trickler,
            daemon.socketPath, String(count), String(interval), String(duration), piece,
        ], log: log)
    }

    static func counts(_ log: String) throws -> JSON {
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let last = try #require(text.split(separator: "\n").last, "trickler printed nothing")
        return try #require(try? JSONParser.parse(String(last)), "trickler: \(text)")
    }

    /// The repro of the finding: one uid opens every connection it can and trickles a space
    /// every half second (a quarter of the idle timeout). It gets all but the reserved slots,
    /// each is cut at the line deadline, and root is served meanwhile.
    @Test func aTricklingUIDIsCutAtTheLineDeadlineAndRootIsStillServed() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--max-connections", "12", "--reserved-connections", "4", "--idle-timeout", "2"])
        let root = try daemon.client()
        #expect(try await eventually { try root.metric("authd_connections_open") == 1 })
        let log = "\(daemon.directory)/trickler.log"
        let trickler = try Self.trickle(daemon, count: 12, interval: 0.5, duration: 8, log: log)
        #expect(await eventually { (try? String(contentsOfFile: log, encoding: .utf8))?.contains("holding") == true })
        // 12 slots: root's, 7 for nobody, 4 reserved; a new root connection gets one.
        #expect(try daemon.client().ok(.health)["status"] == "ok")
        #expect(await trickler.exitStatus() == 0)
        let counts = try Self.counts(log)
        #expect(counts["admitted"] == 7)
        #expect(counts["refusals"]?.array?.count == 5)
        #expect(counts["cut"] == 7, "every trickled line is cut at its deadline: \(counts)")
        #expect(try daemon.client().ok(.health)["status"] == "ok")
    }

    /// Blank lines are not requests: a peer that sends only them is idle, and is closed
    /// at the idle timeout.
    @Test func blankLinesDoNotKeepAConnectionOpen() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--idle-timeout", "2"])
        let log = "\(daemon.directory)/blank.log"
        let trickler = try Self.trickle(daemon, count: 3, interval: 0.5, duration: 8, piece: " n", log: log)
        #expect(await trickler.exitStatus() == 0)
        let counts = try Self.counts(log)
        #expect(counts["admitted"] == 3)
        #expect(counts["cut"] == 3, "\(counts)")
    }

    /// An unprivileged uid holds at most its share, whatever room is left.
    @Test func oneUIDGetsItsShareOfTheConnections() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--max-connections", "50", "--reserved-connections", "0", "--connections-per-uid", "3"])
        let log = "\(daemon.directory)/share.log"
        let holder = try Self.trickle(daemon, count: 5, interval: 0.1, duration: 0, log: log)
        #expect(await holder.exitStatus() == 0)
        let counts = try Self.counts(log)
        #expect(counts["admitted"] == 3)
        #expect(counts["refusals"] == ["Too many connections from this user (at most 3)", "Too many connections from this user (at most 3)"])
        // Root has no share: it may hold more than 3.
        let roots = try (0..<5).map { _ in try daemon.client() }
        for c in roots { #expect(try c.ok(.health)["status"] == "ok") }
    }
}
}
