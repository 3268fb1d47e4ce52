import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension IntegrationTests {
    /// `users.import` with `users` (issue #15, contract section 10): one transaction, row by row.
    @Suite struct BulkImportTests {
        /// Python's `bcrypt.hashpw(b'Flask#Pass1', bcrypt.gensalt(rounds=4))`, and the same salt at cost 12.
        static let cost4 = ImportedHashTests.bcrypt(cost: "04")
        static let cost12 = ImportedHashTests.bcrypt(cost: "12")

        static func row(_ name: String, id: Int64? = nil, email: String? = nil, hash: String = cost4) -> JSON {
            var row: [String: JSON] = ["username": .string(name), "email": .string(email ?? "\(name)@example.com"),
                                       "password_hash": .string(hash)]
            if let id { row["id"] = .int(id) }
            return .object(row)
        }

        static func results(_ answer: JSON) throws -> [JSON] {
            try #require(answer["results"]?.array)
        }

        @Test func aBatchFailsExactlyItsConflictingAndBadRowsAndKeepsIds() async throws {
            let daemon = try await TestDaemon()
            let c = try daemon.client()
            _ = try c.register("taken")
            let answer = try c.ok(.usersImport, ["users": [
                Self.row("ann", id: 500), Self.row("Taken", id: 501), Self.row("bob", id: 502, hash: "not-a-hash"),
                Self.row("cid", id: 503, email: "ANN@example.com"), Self.row("dee", id: 500), Self.row("eve", id: 504, hash: Self.cost12),
                Self.row("x"), Self.row("fay"),
            ]])
            let rows = try Self.results(answer)
            #expect(rows.count == 8)
            #expect(rows[0]["id"] == 500 && rows[0]["username"] == "ann")
            #expect(rows[1]["error"]?["code"] == -32009 && rows[1]["error"]?["data"]?["field"] == "username")
            #expect(rows[2]["error"]?["code"] == -32602)
            #expect(rows[2]["error"]?["data"]?["fields"]?["password_hash"] != nil)
            #expect(rows[3]["error"]?["data"]?["field"] == "email")
            #expect(rows[4]["error"]?["data"]?["field"] == "id")
            #expect(rows[5]["id"] == 504)
            #expect(rows[6]["error"]?["data"]?["fields"]?["username"] != nil)
            // A row without an id takes the next one, past every id kept so far.
            let fay = try #require(rows[7]["id"]?.int64)
            #expect(fay > 504)
            #expect(try daemon.sql("SELECT COUNT(*) FROM users") == "4")
            // Later registrations get larger ids still; each imported password logs in.
            let later = try c.register("later")
            #expect(later > fay)
            _ = try c.ok(.login, ["username": "ann", "password": "Flask#Pass1"])
        }

        /// Groups and the disabled state are checked as users.set_groups and users.disable
        /// check them, row by row; a good row keeps them (sorted, each once).
        @Test func groupsAndTheDisabledStateAreImportedAndChecked() async throws {
            let daemon = try await TestDaemon()
            let c = try daemon.client()
            func with(_ name: String, _ extra: [String: JSON]) -> JSON {
                .object((Self.row(name).object ?? [:]).merging(extra) { $1 })
            }
            let rows = try Self.results(try c.ok(.usersImport, ["users": [
                with("ann", ["groups": ["ops", "admin", "ops"], "disabled_at": "2025-05-06T07:08:09Z", "disabled_reason": "moved"]),
                with("bob", ["groups": ["Admin"]]),
                with("cid", ["disabled_reason": "no date"]),
                with("dee", ["disabled_at": "yesterday"]),
                with("eve", ["groups": .array((0...32).map { .string("g\($0)") })]),
                with("fay", ["groups": "admin"]),
            ]]))
            #expect(rows[0]["username"] == "ann")
            for (row, field) in [(1, "groups"), (2, "disabled_reason"), (3, "disabled_at"), (4, "groups"), (5, "groups")] {
                #expect(rows[row]["error"]?["code"] == -32602 && rows[row]["error"]?["data"]?["fields"]?[field] != nil, "\(rows[row])")
            }
            let id = try #require(rows[0]["id"])
            let status = try c.ok(.usersStatus, ["id": id])
            #expect(status["groups"] == ["admin", "ops"] && status["disabled"] == true)
            #expect(status["disabled_at"] == "2025-05-06T07:08:09Z" && status["disabled_reason"] == "moved")
            #expect(try c.failure(.login, ["username": "ann", "password": "Flask#Pass1"]).code == -32001)
        }

        @Test func anIdOnceAUsersIsNeverGivenAgain() async throws {
            let daemon = try await TestDaemon()
            let c = try daemon.client()
            let rows = try Self.results(try c.ok(.usersImport, ["users": [Self.row("gus", id: 40)]]))
            #expect(rows[0]["id"] == 40)
            _ = try c.ok(.usersDelete, ["id": 40])
            let again = try c.failure(.usersImport, Self.row("hal", id: 40).object!)
            #expect(again.code == -32009 && again.data["field"] == "id")
            let batch = try Self.results(try c.ok(.usersImport, ["users": [Self.row("hal", id: 40)]]))
            #expect(batch[0]["error"]?["data"]?["field"] == "id")
            // A registration never gets it either.
            #expect(try c.register("ivy") > 40)
        }

        @Test func skipExistingSkipsTheSameUserAndRefusesADifferentOne() async throws {
            let daemon = try await TestDaemon()
            let c = try daemon.client()
            _ = try c.ok(.usersImport, ["users": [Self.row("joe", id: 7)]])
            let rows = try Self.results(try c.ok(.usersImport, ["skip_existing": true, "users": [
                Self.row("joe", id: 7), Self.row("JOE"), Self.row("joe", id: 8), Self.row("joe", hash: Self.cost12), Self.row("kim", id: 9),
            ]]))
            #expect(rows[0] == ["created_at": rows[0]["created_at"]!, "email": "joe@example.com", "id": 7, "skipped": true, "username": "joe"])
            #expect(rows[1]["skipped"] == true && rows[1]["id"] == 7)
            #expect(rows[2]["error"]?["data"]?["field"] == "username")
            #expect(rows[3]["error"]?["data"]?["field"] == "username")
            #expect(rows[4]["id"] == 9 && rows[4]["skipped"] == nil)
            // Without it, the same row is a conflict.
            let plain = try Self.results(try c.ok(.usersImport, ["users": [Self.row("joe", id: 7)]]))
            #expect(plain[0]["error"]?["data"]?["field"] == "username")
        }

        @Test func theBatchItselfIsValidated() async throws {
            let daemon = try await TestDaemon()
            let c = try daemon.client()
            let tooMany = try c.failure(.usersImport, ["users": .array((0...1000).map { Self.row("u\($0)") })])
            #expect(tooMany.data["fields"] == ["users": ["At most 1000 users a call."]])
            let mixed = try c.failure(.usersImport, ["users": [Self.row("lea")], "username": "lea"])
            #expect(mixed.data["fields"] == ["username": ["Not allowed with users."]])
            let notObjects = try c.failure(.usersImport, ["users": [1]])
            #expect(notObjects.data["fields"] == ["users": ["Each item must be an object."]])
            let notList = try c.failure(.usersImport, ["users": "x", "skip_existing": 1])
            #expect(notList.data["fields"] == ["users": ["Not a valid list."], "skip_existing": ["Not a valid boolean."]])
            #expect(try Self.results(try c.ok(.usersImport, ["users": []])).isEmpty)
            // A full batch is one call.
            let full = try Self.results(try c.ok(.usersImport, ["users": .array((1...1000).map { Self.row("mem\($0)") })]))
            #expect(full.allSatisfy { $0["id"] != nil })
            #expect(try daemon.sql("SELECT COUNT(*) FROM users") == "1000")
        }
    }
}
