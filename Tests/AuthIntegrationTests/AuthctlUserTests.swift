import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

/// `authctl user ...` as root, against a real daemon (the helpers are in AuthctlTests.swift).
extension IntegrationTests.AuthctlTests {
    @Test func userAddWithPasswordStdinRegistersAUserWhoCanThenLogIn() async throws {
        let daemon = try await TestDaemon()
        let r = try Self.authctl(daemon.socketPath, ["user", "add", "alice", "--email", "alice@example.com",
                                                     "--password-stdin"], stdin: "Passw0rd!\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        let c = try daemon.client()
        let stored = try c.ok(.usersGet, ["id": 1])
        #expect(stored["username"] == "alice")
        #expect(stored["email"] == "alice@example.com")
        #expect(r.stdout == Self.shown(stored))
        #expect(try c.isActive(c.login("alice")))
    }

    @Test func userAddWithAWeakPasswordExits1WithEveryFieldMessageOnStderr() async throws {
        let daemon = try await TestDaemon()
        let r = try Self.authctl(daemon.socketPath, ["user", "add", "alice", "--email", "alice@example.com",
                                                     "--password-stdin"], stdin: "weak\n")
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr == """
            authctl: Validation failed
              password: Shorter than minimum length 8.
              password: Must contain an uppercase letter.
              password: Must contain a digit.
              password: Must contain a special character.

            """)
        #expect(try daemon.client().ok(.usersList)["users"] == [])
    }

    @Test func userListPrintsATablePagesWithLimitAndAfterIDAndJoinsEveryPageWithAll() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        for name in ["ann", "bob", "cyd"] { try c.register(name) }
        let created = try (1...3).map { try c.ok(.usersGet, ["id": .int(Int64($0))])["created_at"]!.string! }
        let header = "ID  USERNAME  EMAIL            CREATED_AT\n"
        let rows = [
            "1   ann       ann@example.com  \(created[0])\n",
            "2   bob       bob@example.com  \(created[1])\n",
            "3   cyd       cyd@example.com  \(created[2])\n",
        ]

        let all = try Self.authctl(daemon.socketPath, ["user", "list"])
        #expect(all.status == 0)
        #expect(all.stdout == header + rows.joined() + "\n3 users listed.\n")
        #expect(all.stderr == "")

        let first = try Self.authctl(daemon.socketPath, ["user", "list", "--limit", "2"])
        #expect(first.status == 0)
        #expect(first.stdout == header + rows[0] + rows[1] + "\n2 users listed.\n")
        #expect(first.stderr == "more users: use --after-id 2 or --all\n")

        let second = try Self.authctl(daemon.socketPath, ["user", "list", "--limit", "2", "--after-id", "2"])
        #expect(second.status == 0)
        #expect(second.stdout == header + rows[2] + "\n1 user listed.\n")
        #expect(second.stderr == "")

        let page = try Self.authctl(daemon.socketPath, ["user", "list", "--limit", "2", "--json"])
        #expect(page.status == 0)
        #expect(try JSONParser.parse(page.stdout) == c.ok(.usersList, ["limit": 2]))
        #expect(page.stderr == "")

        let joined = try Self.authctl(daemon.socketPath, ["user", "list", "--limit", "1", "--all", "--json"])
        #expect(joined.status == 0)
        let result = try JSONParser.parse(joined.stdout)
        #expect(result["users"]?.array?.compactMap { $0["id"]?.int64 } == [1, 2, 3])
        #expect(result["next_after_id"] == .null)

        let joinedTable = try Self.authctl(daemon.socketPath, ["user", "list", "--limit", "1", "--all"])
        #expect(joinedTable.stdout == header + rows.joined() + "\n3 users listed.\n")
        #expect(joinedTable.stderr == "")

        let outOfRange = try Self.authctl(daemon.socketPath, ["user", "list", "--limit", "501"])
        #expect(outOfRange.status == 1)
        #expect(outOfRange.stderr.hasPrefix("authctl: Validation failed\n  limit: "))
    }

    @Test func userShowPrintsTheUserAndAMissingIDExits1WithNotFound() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let stored = try c.ok(.usersGet, ["id": 1])

        // Root is privileged, so it sees the failed logins too, in both forms.
        let human = try Self.authctl(daemon.socketPath, ["user", "show", "1"])
        #expect(human.status == 0)
        #expect(human.stdout == Self.shown(stored) + Self.shownStatus)

        let json = try Self.authctl(daemon.socketPath, ["user", "show", "1", "--json"])
        #expect(json.status == 0)
        var withLockout = try #require(stored.object)
        withLockout["failed_logins"] = 0
        withLockout["locked_until"] = .null
        for (key, value) in ["disabled": false, "disabled_at": .null, "disabled_reason": .null, "groups": [], "sessions": 0,
                             "last_login_at": .null, "mfa": []] as [String: JSON] {
            withLockout[key] = value
        }
        #expect(try JSONParser.parse(json.stdout) == .object(withLockout))

        let missing = try Self.authctl(daemon.socketPath, ["user", "show", "99"])
        #expect(missing.status == 1)
        #expect(missing.stdout == "")
        #expect(missing.stderr == "authctl: User not found\n")
    }

    @Test func userUpdateChangesTheUsernameAndEmail() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let r = try Self.authctl(daemon.socketPath, ["user", "update", "1", "--username", "alicia", "--email", "alicia@example.org"])
        #expect(r.status == 0, "\(r.stderr)")
        let stored = try c.ok(.usersGet, ["id": 1])
        #expect(stored["username"] == "alicia")
        #expect(stored["email"] == "alicia@example.org")
        #expect(r.stdout == Self.shown(stored))

        let taken = try c.register("bob")
        let clash = try Self.authctl(daemon.socketPath, ["user", "update", "\(taken)", "--username", "ALICIA"])
        #expect(clash.status == 1)
        #expect(clash.stderr == "authctl: Username already taken\n")
    }

    @Test func userUpdatePasswordStdinRevokesTheOldTokenAndTheNewPasswordLogsIn() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let old = try c.login("alice")
        let r = try Self.authctl(daemon.socketPath, ["user", "update", "1", "--password-stdin"], stdin: "N3w-Passw0rd\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try c.isActive(old) == false)
        #expect(try c.failure(.login, ["username": "alice", "password": "Passw0rd!"]).code == -32001)
        #expect(try c.isActive(c.login("alice", password: "N3w-Passw0rd")))
    }

    @Test func userDeleteRemovesTheUserAndASecondDeleteExits1() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let r = try Self.authctl(daemon.socketPath, ["user", "delete", "1"])
        #expect(r.status == 0)
        #expect(r.stdout == "deleted user 1\n")
        #expect(try c.failure(.usersGet, ["id": 1]).code == -32004)

        let again = try Self.authctl(daemon.socketPath, ["user", "delete", "1"])
        #expect(again.status == 1)
        #expect(again.stdout == "")
        #expect(again.stderr == "authctl: User not found\n")

        // Under --json the error is JSON too, on stdout, with the same status.
        let json = try Self.authctl(daemon.socketPath, ["user", "delete", "1", "--json"])
        #expect(json.status == 1)
        #expect(json.stderr == "")
        #expect(try JSONParser.parse(json.stdout) == ["error": ["code": -32004, "message": "User not found", "data": ["status": 404]]])
    }

    @Test func userImportFromCSVOnStdinImportsGoodRowsReportsEachRefusedRowAndExits1() async throws {
        let daemon = try await TestDaemon()
        let hash = try Self.flaskHash()
        let csv = """
            username,email,password_hash,created_at
            flask,flask@example.com,\(hash),2023-05-01T12:00:00Z
            broken,broken@example.com,not-a-hash,
            FLASK,other@example.com,\(hash),

            """
        let r = try Self.authctl(daemon.socketPath, ["user", "import"], stdin: csv)
        #expect(r.status == 1)
        // Rows that went in are counted, not listed.
        #expect(r.stdout == """
            refused broken: Validation failed; password_hash: Not a password hash this system can verify.
            refused FLASK: Username already taken

            """)
        #expect(r.stderr.hasPrefix("authctl: imported 1, skipped 0, refused 2 of 3 rows in "), "\(r.stderr)")

        let c = try daemon.client()
        #expect(try c.ok(.usersList)["users"]?.array?.count == 1)
        #expect(try c.ok(.usersGet, ["id": 1])["created_at"] == "2023-05-01T12:00:00Z")
        let login = try Self.authctl(daemon.socketPath, ["login", "--username", "flask", "--password-stdin"], stdin: "Flask#Pass1\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(try c.isActive(login.stdout.trimmingCharacters(in: .newlines)))
    }

    @Test func userImportFromAJSONLinesFileImportsEveryRowAndTheOriginalPasswordsLogIn() async throws {
        let daemon = try await TestDaemon()
        let hash = try Self.flaskHash()
        let file = "\(daemon.directory)/users.jsonl"
        let lines = [
            JSON.object(["username": "flask", "email": "flask@example.com", "password_hash": .string(hash),
                         "created_at": "2023-05-01T12:00:00Z"]),
            JSON.object(["username": "jinja", "email": "jinja@example.com", "password_hash": .string(hash)]),
        ]
        try (lines.map(\.text).joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)

        let r = try Self.authctl(daemon.socketPath, ["user", "import", file, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        let c = try daemon.client()
        let reports = try r.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(reports == [
            ["line": 1, "username": "flask", "result": try c.ok(.usersGet, ["id": 1])],
            ["line": 2, "username": "jinja", "result": try c.ok(.usersGet, ["id": 2])],
        ])
        for name in ["flask", "jinja"] {
            #expect(try c.isActive(c.login(name, password: "Flask#Pass1")))
        }

        let unreadable = try Self.authctl(daemon.socketPath, ["user", "import", "\(daemon.directory)/absent.jsonl"])
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr == "authctl: cannot read \(daemon.directory)/absent.jsonl: No such file or directory\n")
    }
}
