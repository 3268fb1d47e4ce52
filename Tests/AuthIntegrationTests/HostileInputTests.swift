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
    /// Hostile and malformed input over the real socket: each gets its exact error,
    /// the connection stays usable, and the daemon keeps serving.
    @Suite struct HostileInputTests {
        /// Sends raw bytes as one line and returns the answer's error code.
        func code(_ c: AuthClient, _ bytes: [UInt8]) throws -> Int64? {
            try c.sendRaw(bytes + [10])
            return try c.receive()["error"]?["code"]?.int64
        }

        func code(_ c: AuthClient, _ text: String) throws -> Int64? { try code(c, Array(text.utf8)) }

        @Test func everyHostileCaseGetsItsExactCode() async throws {
            let daemon = try await TestDaemon()
            let c = try daemon.client()
            let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            #expect(try code(c, deep) == -32700)
            let deepParams = #"{"jsonrpc":"2.0","id":1,"method":"system.health","params":{"a":"# + String(repeating: "{\"a\":", count: 100) + "1" + String(repeating: "}", count: 101) + "}"
            #expect(try code(c, deepParams) == -32700)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"system.health","method":"users.list"}"#) == -32700)
            #expect(try code(c, Array(#"{"jsonrpc":"2.0","id":1,"method":"system.health","params":{"x":""#.utf8) + [0xFF, 0xFE] + Array(#""}}"#.utf8)) == -32700)
            #expect(try code(c, Array(#"{"jsonrpc":"2.0","id":1,"method":"system"#.utf8) + [0x00] + Array(#".health"}"#.utf8)) == -32700)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"system.health","params":{"x":"\ud800"}}"#) == -32700)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"users.get","params":{"id":1e999999}}"#) == -32602)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"users.get","params":{"id":123456789012345678901234567890}}"#) == -32602)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"users.get","params":{"id":"seven"}}"#) == -32602)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"users.list","params":{"limit":"many"}}"#) == -32602)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"auth.register","params":{"username":123,"email":true,"password":["x"]}}"#) == -32602)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"auth.register","params":{"username":"nul","email":"nul@example.com","password":"Passw0rd!\u0000x"}}"#) == -32602)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":42}"#) == -32600)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":{"a":1},"method":"system.health"}"#) == -32600)
            #expect(try code(c, #"{"jsonrpc":"2.0","id":1,"method":"system.health","params":"x"}"#) == -32600)
            #expect(try code(c, #"{"id":1,"method":"system.health"}"#) == -32600)
            #expect(try code(c, "\"just a string\"") == -32600)
            #expect(try code(c, "nul") == -32700)
            try c.sendRaw(Array("[1, [], {}]\n".utf8))
            let batch = try #require(try c.receive().array)
            #expect(batch.map { $0["error"]?["code"]?.int64 } == [-32600, -32600, -32600])
            // The same connection still serves, and a huge id is echoed exactly.
            try c.sendRaw(Array(#"{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"system.health"}"#.utf8) + [10])
            let answer = try c.receive()
            #expect(answer["id"] == .number("123456789012345678901234567890"))
            #expect(answer["result"]?["status"] == "ok")
        }

        @Test func aThousandIdleConnectionsDoNotStopAnotherClient() async throws {
            var limit = rlimit()
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            limit.rlim_cur = max(limit.rlim_cur, min(limit.rlim_max, 4096))
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            let daemon = try await TestDaemon(["--max-connections", "2000"])
            var idle: [AuthClient] = []
            for _ in 0..<1000 { idle.append(try daemon.client()) }
            let other = try daemon.client()
            #expect(try other.ok(.health)["status"] == "ok")
            #expect(try other.register("busy") > 0)
            idle.removeAll()
        }

        @Test func aClientThatStopsReadingDoesNotGrowTheDaemon() async throws {
            let daemon = try await TestDaemon()
            let greedy = try daemon.client()
            // Pipeline far more than it reads; the daemon stops reading from it instead of
            // buffering answers without bound, and keeps serving others.
            let line = Array((RPCRequest(id: 1, method: RPCMethod.discover.rawValue).json.text + "\n").utf8)
            let batch = Array([[UInt8]](repeating: line, count: 200).joined())
            let flags = fcntl(greedy.descriptor, F_GETFL)
            _ = fcntl(greedy.descriptor, F_SETFL, flags | O_NONBLOCK)
            var sent = 0
            let ceiling = 50 << 20
            var stalls = 0
            while sent < ceiling && stalls < 20 {
                let n = batch.withUnsafeBytes { send(greedy.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n > 0 {
                    sent += n
                    stalls = 0
                } else {
                    stalls += 1
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            // 50 MiB of requests would be ~700,000 answers; the daemon stopped reading long before.
            #expect(sent < ceiling, "the daemon should have stopped reading from a client that does not read")
            let status = try String(contentsOfFile: "/proc/\(daemon.process.pid)/status", encoding: .utf8)
            let rss = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            #expect(rss < 200_000, "resident memory \(rss) KiB")
            #expect(try daemon.client().ok(.health)["status"] == "ok")
        }
    }
}
