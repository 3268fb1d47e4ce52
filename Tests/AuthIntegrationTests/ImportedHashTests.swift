import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension IntegrationTests {
    /// Imported hashes (issue #13, item 10): judged by their form, with each method's cost capped.
    @Suite struct ImportedHashTests {
        /// Python's `bcrypt.hashpw(b'Flask#Pass1', bcrypt.gensalt(rounds=4))` with its cost changed.
        static func bcrypt(cost: String) -> String { "$2b$\(cost)$qCMMl2YYs1J8CJ7KY8KW.Oa28k/6.C6TUgp30A2d3JanKugXwEFWa" }

        static func importing(_ name: String, _ hash: String) -> [String: JSON] {
            ["username": .string(name), "email": .string("\(name)@example.com"), "password_hash": .string(hash)]
        }

        @Test func costlyAndWeakHashesAreRefusedWithTheReasonAndACost12OneImportsAtOnce() async throws {
            let daemon = try await TestDaemon()
            let c = try daemon.client()
            let costly = try c.failure(.usersImport, Self.importing("costly", Self.bcrypt(cost: "31")))
            #expect(costly.code == -32602)
            #expect(costly.data["fields"] == ["password_hash": ["bcrypt cost 31 is above the import cap of 14."]])
            let des = try c.failure(.usersImport, Self.importing("des", "abJnggxhB/yWI"))
            #expect(des.data["fields"] == ["password_hash": ["DES crypt is weak; it is imported only with --allow-weak-import yes."]])
            // The cost-12 hash imports without a hash spent on deciding it.
            let before = try c.metric("authd_pool_wait_seconds_count{pool=\"hash\"}")
            _ = try c.ok(.usersImport, Self.importing("flask", Self.bcrypt(cost: "12")))
            #expect(try c.metric("authd_pool_wait_seconds_count{pool=\"hash\"}") == before)
        }

        @Test func weakHashesImportWhenAllowedAndAreReHashedAtTheFirstLogin() async throws {
            let daemon = try await TestDaemon(["--allow-weak-import", "yes", "--bcrypt-cost", "4"])
            let c = try daemon.client()
            // Python 3.11's `crypt.crypt('Weak#Pass1', 'ab')`.
            let hash = "abSJcjneXER0s"
            let user = try c.ok(.usersImport, Self.importing("olddes", hash))
            _ = try c.ok(.login, ["username": "olddes", "password": "Weak#Pass1"])
            let stored = try daemon.sql("SELECT password_hash FROM users WHERE id = \(user["id"]?.int64 ?? 0)")
            #expect(stored.hasPrefix("$2b$04$"))
        }
    }
}
