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
    /// Nothing acknowledged is lost when authd dies (run on SQLite and on PostgreSQL).
    @Suite struct CrashSafetyTests {
        @Test func killNineDuringRegistrationsLosesNothingAcknowledged() async throws {
            let daemon = try await TestDaemon()
            let clients = try (0..<4).map { _ in try daemon.client() }
            for (k, c) in clients.enumerated() {
                for n in 0..<100 {
                    let name = "crash\(k)x\(n)"
                    try c.send(RPCRequest(id: .string(name), method: RPCMethod.register.rawValue,
                                          params: ["username": .string(name), "email": .string("\(name)@example.com"), "password": "Passw0rd!"]).json)
                }
            }
            // Collect acknowledgements until some have arrived, then kill without warning.
            var acknowledged: [Int64] = []
            var read = 0
            while acknowledged.count < 40 && read < 400 {
                if let id = try clients[read % 4].receive()["result"]?["id"]?.int64 { acknowledged.append(id) }
                read += 1
            }
            kill(daemon.process.pid, SIGKILL)
            for c in clients {
                while let line = try? c.receiveLine() {
                    if let id = (try? JSONParser.parse(line))?["result"]?["id"]?.int64 { acknowledged.append(id) }
                }
            }
            #expect(daemon.process.waitUntilExit() == 128 + SIGKILL)

            try await daemon.restart()
            let c = try daemon.client()
            #expect(try c.ok(.health)["status"] == "ok")
            var stored = Set<Int64>()
            var after: Int64 = 0
            while true {
                let page = try c.ok(.usersList, ["limit": 500, "after_id": .int(after)])
                stored.formUnion(page["users"]?.array?.compactMap { $0["id"]?.int64 } ?? [])
                guard let next = page["next_after_id"]?.int64 else { break }
                after = next
            }
            #expect(acknowledged.count >= 40)
            #expect(Set(acknowledged).isSubset(of: stored))
            // And the database takes new writes.
            try c.register("afterthecrash")
        }
    }
}
