import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// `authctl user export` and its round trip through `authctl user import` (issue #15).
extension IntegrationTests.AuthctlTests {
    /// Every user with its hash, as users.export pages them.
    static func exported(_ c: AuthClient) throws -> [JSON] {
        var users: [JSON] = []
        var after: Int64 = 0
        while true {
            let page = try c.ok(.usersExport, ["after_id": .int(after), "limit": 2])
            users += page["users"]?.array ?? []
            guard let next = page["next_after_id"]?.int64 else { return users }
            after = next
        }
    }

    @Test func anExportImportedIntoAFreshDatabaseGivesTheSameUsersWhoAllLogIn() async throws {
        let source = try await TestDaemon()
        let c = try source.client()
        let flask = try Self.flaskHash()
        for name in ["alice", "bob", "carol"] { _ = try c.register(name, password: "Pass#\(name)1") }
        _ = try c.ok(.usersImport, ["users": [
            ["id": 1000, "username": "flask", "email": "Flask@Example.com", "password_hash": .string(flask), "created_at": "2021-03-04T05:06:07Z"],
            ["id": 1002, "username": "jinja", "email": "jinja@example.com", "password_hash": .string(flask),
             "groups": ["web", "admin", "web"], "disabled_at": "2024-01-02T03:04:05Z", "disabled_reason": "left, \"for now\""],
        ]])
        _ = try c.ok(.usersDelete, ["id": 2])
        // Groups and the disabled state travel too (contract §10), through both forms.
        _ = try c.ok(.usersSetGroups, ["id": 1, "groups": ["ops", "admin"]])
        _ = try c.ok(.usersDisable, ["id": 3, "reason": "on leave"])
        // And the TOTP factor, sealed under the MFA key, which every test daemon shares.
        let factor = try await IntegrationTests.MFATests.enrollAgain(c, 1, "alice", password: "Pass#alice1")
        let original = try Self.exported(c)
        #expect(original[0]["totp_secret"]?.string != nil && IntegrationTests.MFATests.strings(original[0]["recovery_code_hashes"])?.count == 10)
        #expect(original.dropFirst().allSatisfy { $0["totp_secret"] == nil })
        #expect(original.map { $0["id"]?.int64 ?? 0 } == [1, 3, 1000, 1002])
        #expect(original.allSatisfy { $0["password_hash"]?.string?.hasPrefix("$2b$") == true })
        #expect(original.map { $0["groups"] } == [["admin", "ops"], [], [], ["admin", "web"]])
        #expect(original.map { $0["disabled_reason"]?.string } == [nil, "on leave", nil, "left, \"for now\""])
        #expect(original[3]["disabled_at"] == "2024-01-02T03:04:05Z")
        #expect(original[1]["disabled_at"]?.string != nil && original[0]["disabled_at"] == nil)

        let csvFile = "\(source.directory)/users.csv"
        let csv = try Self.authctl(source.socketPath, ["user", "export", "--output", csvFile])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stderr == "authctl: exported 4 users\n")
        let mode = try FileManager.default.attributesOfItem(atPath: csvFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try String(contentsOfFile: csvFile, encoding: .utf8).hasPrefix(
            "id,username,email,password_hash,created_at,groups,disabled_at,disabled_reason,totp_secret,recovery_code_hashes\n1,alice,"))
        let jsonl = try Self.authctl(source.socketPath, ["user", "export", "--format", "jsonl"])
        #expect(jsonl.status == 0)
        #expect(jsonl.stdout.split(separator: "\n").count == 4)

        // Each form, imported into an empty database, gives the same users; every password logs in.
        for (file, text) in [(csvFile, nil as String?), ("-", jsonl.stdout)] {
            let target = try await TestDaemon()
            let r = try Self.authctl(target.socketPath, ["user", "import", file], stdin: text)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
            #expect(!r.stderr.contains("warning"))
            let t = try target.client()
            // The secret is sealed anew on each export; everything else is the same.
            let unsealed = { (users: [JSON]) in users.map { JSON.object(($0.object ?? [:]).filter { $0.key != "totp_secret" }) } }
            #expect(unsealed(try Self.exported(t)) == unsealed(original))
            try await IntegrationTests.MFATests.awayFromAStepBoundary()
            let mfaToken = try IntegrationTests.MFATests.passwordStep(t, "alice", password: "Pass#alice1")
            let signedIn = try t.ok(.mfa, ["mfa_token": mfaToken, "recovery_code": .string(factor.recoveryCodes[file == "-" ? 1 : 0])])
            #expect(try t.isActive(signedIn["access_token"]!.string!))
            #expect(try t.isActive(t.login("flask", password: "Flask#Pass1")))
            // The disabled stay disabled, and log in once enabled.
            for (id, name, password) in [(3, "carol", "Pass#carol1"), (1002, "jinja", "Flask#Pass1")] {
                #expect(try t.failure(.login, ["username": .string(name), "password": .string(password)]).code == -32001)
                _ = try t.ok(.usersEnable, ["id": .int(Int64(id))])
                #expect(try t.isActive(t.login(name, password: password)))
            }
            #expect(try t.register("later") > 1002)
        }
    }

    @Test func exportIsForPrivilegedCallersOnly() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        _ = try c.register("alice")
        let token = try c.login("alice")
        let r = try Self.authctlAsNobody(daemon.socketPath, ["user", "export"], environment: ["AUTHD_TOKEN": token])
        #expect(r.status == 77, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout == "")
    }
}
