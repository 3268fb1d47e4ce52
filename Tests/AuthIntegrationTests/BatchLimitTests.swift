import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// Issue #13 item 4: a batch is one line but many requests, so it is capped in members
/// and in answer bytes, and its members count against the connection's pending limit.
extension IntegrationTests {
@Suite struct BatchLimitTests {
    /// Run as nobody: sends each line of the file named second as one line and prints, per
    /// answer, its size and a summary: the error of a refused batch, or how many members
    /// got results and how many got status 413.
    static let batcher = """
        import json, socket, sys
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rb")
        out = []
        for line in open(sys.argv[2], "rb").read().splitlines():
            s.sendall(line + b"\\n")
            answer = f.readline()
            parsed = json.loads(answer)
            if isinstance(parsed, dict):
                out.append({"bytes": len(answer), "error": parsed["error"]})
            else:
                out.append({"bytes": len(answer), "members": len(parsed),
                            "results": sum(1 for a in parsed if "result" in a),
                            "too_large": sum(1 for a in parsed if a.get("error", {}).get("data", {}).get("status") == 413)})
        print(json.dumps(out))
        """

    static func batch(_ method: RPCMethod, _ params: [String: JSON], count: Int) -> String {
        let members = (0..<count).map { RPCRequest(id: .int(Int64($0)), method: method.rawValue, params: params).json.text }
        return "[" + members.joined(separator: ",") + "]"
    }

    static func peakResidentKiB(_ daemon: TestDaemon) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(daemon.process.pid)/status", encoding: .utf8)
        return status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
    }

    /// The repro, scaled: 500 users, then an unprivileged peer's batch of 1,000 `users.list`
    /// members (refused whole) and one of 100 pages of 500 users (5 MB of answers, cut at
    /// 1 MiB: the members past it get 413). The daemon's resident peak stays bounded.
    @Test func aThousandMemberUsersListBatchIsRefusedAndAHundredIsBounded() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        for round in 0..<5 {
            let registrations = (0..<100).map { n -> String in
                let name = "batch\(round)x\(n)"
                return RPCRequest(id: .int(Int64(n)), method: RPCMethod.register.rawValue, params: [
                    "username": .string(name), "email": .string("\(name)@example.com"), "password": "Passw0rd!",
                ]).json.text
            }
            try c.sendRaw(Array(("[" + registrations.joined(separator: ",") + "]\n").utf8))
            let answers = try c.receive()
            #expect(answers.array?.filter { $0["result"] != nil }.count == 100)
        }
        let token = try c.login("batch0x0")
        let list: [String: JSON] = ["token": .string(token), "limit": 500]
        // In a file: a line of 1,000 members is longer than one argument may be.
        let lines = "\(daemon.directory)/batches.jsonl"
        try (Self.batch(.usersList, list, count: 1000) + "\n" + Self.batch(.usersList, list, count: 100) + "\n")
            .write(toFile: lines, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: lines)
        let r = try run("/usr/bin/setpriv", [
            "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", Self.batcher, daemon.socketPath, lines,
        ])
        #expect(r.status == 0, "batcher failed: \(r.stderr)")
        let answers = try #require(try JSONParser.parse(r.stdout).array)
        try #require(answers.count == 2)
        let refused = answers[0]
        #expect(refused["error"]?["code"] == -32600)
        #expect(refused["error"]?["message"] == "Batch of 1000 requests; at most 100 are allowed")
        let bounded = answers[1]
        #expect(bounded["members"] == 100)
        let results = bounded["results"]?.int64 ?? 0
        let tooLarge = bounded["too_large"]?.int64 ?? 0
        #expect(results > 0 && tooLarge > 0 && results + tooLarge == 100, "\(bounded)")
        let bytes: Int64 = bounded["bytes"]?.int64 ?? .max
        let ceiling: Int64 = (1 << 20) + 100 * 200
        #expect(bytes < ceiling)
        let peak = try Self.peakResidentKiB(daemon)
        #expect(peak < 160_000, "resident peak \(peak) KiB")
        #expect(try c.ok(.health)["status"] == "ok")
    }
}
}
