import AuthJSON
import Foundation
import Synchronization
import Testing

extension LiveTests {
    /// Wrong logins sent at once through the gateway (issue #13, item 2): each is counted
    /// before its hash, so the account's limit holds however many arrive together.
    @Suite struct Throttle {
        @Test func threeHundredParallelWrongLoginsGiveTheLimitOf401sAndThe429s() async throws {
            let s = try await LiveStack(authdArguments: ["--bcrypt-cost", "4", "--login-backoff", "600"])
            _ = try s.register("target")
            let http = s.http
            let statuses = Mutex<[Int: Int]>([:])
            let group = DispatchGroup()
            for _ in 0..<300 {
                DispatchQueue.global().async(group: group) {
                    let status = (try? http.json("POST", "/api/auth/login", ["username": "target", "password": "Wrong#Pass1"]).status) ?? 0
                    statuses.withLock { $0[status, default: 0] += 1 }
                }
            }
            group.wait()
            // Every 401 is a hash spent on a wrong password; every other answer is a 429.
            #expect(statuses.withLock { $0 } == [401: 5, 429: 295])
        }
    }
}
