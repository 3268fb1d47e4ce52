import AuthTestSupport
import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

/// `authctl`, the built binary, against a real daemon. The tests run as root, which needs
/// no token; the unprivileged cases run authctl as nobody through setpriv. The `user`
/// subcommands are in AuthctlUserTests.swift.
extension IntegrationTests {
@Suite struct AuthctlTests {
    /// The test process's environment without the variables authctl reads, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AUTHD_SOCKET")
        env.removeValue(forKey: "AUTHD_TOKEN")
        return env.merging(extra) { _, new in new }
    }

    /// Runs authctl with `--socket` pointing at `socket` (appended, after the subcommand).
    static func authctl(_ socket: String, _ arguments: [String], stdin: String? = nil,
                        environment extra: [String: String] = [:]) throws -> Completed {
        try run(TestDaemon.authctl, arguments + ["--socket", socket], stdin: stdin, environment: environment(extra))
    }

    /// Runs authctl as uid/gid 65534 (nobody/nogroup).
    static func authctlAsNobody(_ socket: String, _ arguments: [String], environment extra: [String: String] = [:],
                                stdin: String? = nil) throws -> Completed {
        try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", TestDaemon.authctl]
                    + arguments + ["--socket", socket], stdin: stdin, environment: environment(extra))
    }

    /// What `user show` prints for a user.
    static func shown(_ user: JSON) -> String {
        "id: \(user["id"]!.text)\nusername: \(user["username"]!.string!)\nemail: \(user["email"]!.string!)\n"
            + "created_at: \(user["created_at"]!.string!)\n"
    }

    /// What `user show` adds for root: the lockout, then the status of a user who never
    /// logged in and is neither disabled nor in a group.
    static let shownStatus = "failed_logins: 0\nlocked_until: -\ndisabled: false\ndisabled_at: -\ndisabled_reason: -\n"
        + "groups: -\nsessions: 0\nlast_login_at: -\nmfa: -\n"

    /// A bcrypt hash of `Flask#Pass1` made by Python's bcrypt, as Flask-Bcrypt makes them.
    static func flaskHash() throws -> String {
        let hash = try python("import bcrypt; print(bcrypt.hashpw(b'Flask#Pass1', bcrypt.gensalt(rounds=4)).decode())")
        #expect(hash.hasPrefix("$2b$04$"))
        return hash
    }

    @Test func healthPrintsOneHumanLineAndWithJSONTheDaemonsExactResult() async throws {
        let daemon = try await TestDaemon()
        let version = try daemon.client().ok(.health)["version"]!.string!

        let human = try Self.authctl(daemon.socketPath, ["health"])
        #expect(human.status == 0)
        #expect(human.stderr == "")
        #expect(human.stdout.wholeMatch(of: try Regex("ok \\(storage \(storageKind), version \(version), up [0-9]+ s\\)\n")) != nil,
                "got \(human.stdout)")

        let json = try Self.authctl(daemon.socketPath, ["health", "--json"])
        #expect(json.status == 0)
        let result = try JSONParser.parse(json.stdout)
        #expect(Set(result.object.map { Array($0.keys) } ?? []) == ["status", "version", "storage", "uptime_s"])
        #expect(result["status"] == "ok")
        #expect(result["storage"] == .string(storageKind))
        #expect(result["version"] == .string(version))
        #expect(result["uptime_s"]?.int64 != nil)
        // Compact, on one line.
        #expect(json.stdout.filter { $0 == "\n" }.count == 1)
    }

    @Test func loginPrintsATokenThatVerifyReportsActiveAndTheirJSONParses() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")

        let login = try Self.authctl(daemon.socketPath, ["login", "--username", "alice", "--password-stdin"], stdin: "Passw0rd!\n")
        #expect(login.status == 0, "\(login.stderr)")
        #expect(login.stdout.hasSuffix("\n"))
        let token = login.stdout.trimmingCharacters(in: .newlines)
        #expect(token.split(separator: ".").count == 3)

        let verify = try Self.authctl(daemon.socketPath, ["verify", token])
        #expect(verify.status == 0)
        let exp = try #require(c.ok(.verify, ["token": .string(token)])["claims"]?["exp"]?.int64)
        #expect(verify.stdout == "active: user 1 (alice), expires \(RFC3339.format(Date(timeIntervalSince1970: TimeInterval(exp))))\n")

        let verifyJSON = try Self.authctl(daemon.socketPath, ["verify", "--json"], environment: ["AUTHD_TOKEN": token])
        #expect(verifyJSON.status == 0)
        let verified = try JSONParser.parse(verifyJSON.stdout)
        #expect(verified["active"] == true)
        #expect(try verified["user"] == c.ok(.usersGet, ["id": 1]))
        #expect(verified["claims"]?["sub"] == "1")

        let json = try Self.authctl(daemon.socketPath, ["login", "--email", "alice@example.com", "--password-stdin", "--json"],
                                    stdin: "Passw0rd!\n")
        #expect(json.status == 0)
        let result = try JSONParser.parse(json.stdout)
        #expect(result["token_type"] == "Bearer")
        #expect(result["expires_in"] == 3600)
        #expect(try result["user"] == c.ok(.usersGet, ["id": 1]))
        #expect(try c.isActive(#require(result["access_token"]?.string)))

        let wrong = try Self.authctl(daemon.socketPath, ["login", "--username", "alice", "--password-stdin"], stdin: "Wr0ng-pass\n")
        #expect(wrong.status == 1)
        #expect(wrong.stdout == "")
        #expect(wrong.stderr == "authctl: Invalid credentials\n")
    }

    @Test func logoutRevokesTheTokenSoVerifyReportsItInactive() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let token = try c.login("alice")

        let logout = try Self.authctl(daemon.socketPath, ["logout", token])
        #expect(logout.status == 0)
        #expect(logout.stdout == "revoked (1 session ended)\n")

        // An inactive token is a failure for scripts (exit 1), and the reason is printed.
        let verify = try Self.authctl(daemon.socketPath, ["verify", token])
        #expect(verify.status == 1)
        #expect(verify.stdout == "inactive: revoked\n")
        #expect(verify.stderr == "")
        let json = try Self.authctl(daemon.socketPath, ["verify", token, "--json"])
        #expect(json.status == 1)
        #expect(try JSONParser.parse(json.stdout) == ["active": false, "reason": "revoked"])
        let quiet = try Self.authctl(daemon.socketPath, ["verify", "--quiet", token])
        #expect(quiet.status == 1)
        #expect(quiet.stdout == "" && quiet.stderr == "")

        let again = try Self.authctl(daemon.socketPath, ["logout"], environment: ["AUTHD_TOKEN": token])
        #expect(again.status == 1)
        #expect(again.stderr == "authctl: Invalid or missing token\n")
    }

    @Test func refreshSessionListRevokeAndLogoutScopes() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let id = try c.register("alice")
        let login = try Self.authctl(daemon.socketPath, ["login", "--username", "alice", "--password-stdin", "--json=short"], stdin: "Passw0rd!\n")
        #expect(login.status == 0)
        let first = try JSONParser.parse(login.stdout)
        let refreshToken = try #require(first["refresh_token"]?.string)
        #expect(first["session_id"] != nil)
        // refresh: the token from stdin or $AUTHD_REFRESH_TOKEN; prints the new access token.
        let refreshed = try Self.authctl(daemon.socketPath, ["refresh", "--json"], stdin: refreshToken + "\n")
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        let pair = try JSONParser.parse(refreshed.stdout)
        #expect(pair["session_id"] == first["session_id"])
        let plain = try Self.authctl(daemon.socketPath, ["refresh"], environment: ["AUTHD_REFRESH_TOKEN": refreshToken])
        #expect(plain.stdout == pair["access_token"]!.string! + "\n")
        let none = try Self.authctl(daemon.socketPath, ["refresh"], environment: ["AUTHD_REFRESH_TOKEN": "unknown"])
        #expect(none.status == 1)
        #expect(none.stderr == "authctl: Invalid refresh token\n")

        let second = try c.ok(.login, ["username": "alice", "password": "Passw0rd!", "client": "203.0.113.5", "label": "Firefox"])
        let token = pair["access_token"]!.string!
        // session list: the user's own as nobody, most recently used first, the caller's marked.
        let mine = try Self.authctlAsNobody(daemon.socketPath, ["session", "list"], environment: ["AUTHD_TOKEN": token])
        #expect(mine.status == 0, "\(mine.stderr)")
        let lines = mine.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true)
                == ["ID", "CREATED_AT", "LAST_USED_AT", "EXPIRES_AT", "CLIENT", "CURRENT", "LABEL"])
        #expect(lines[1].hasPrefix(second["session_id"]!.string!) && lines[1].contains("203.0.113.5") && lines[1].hasSuffix("Firefox"))
        #expect(lines[2].hasPrefix(first["session_id"]!.string!) && lines[2].contains(" * "))
        #expect(lines.suffix(2) == ["2 sessions listed.", ""])
        // A privileged caller names the user; --json for scripts.
        let listed = try Self.authctl(daemon.socketPath, ["session", "list", "alice", "--json"])
        #expect(try JSONParser.parse(listed.stdout)["sessions"]?.array?.count == 2)
        let foreign = try Self.authctlAsNobody(daemon.socketPath, ["session", "list", String(id + 1)], environment: ["AUTHD_TOKEN": token])
        #expect(foreign.status == 77)

        let revoke = try Self.authctlAsNobody(daemon.socketPath, ["session", "revoke", second["session_id"]!.string!],
                                              environment: ["AUTHD_TOKEN": token])
        #expect(revoke.status == 0)
        #expect(revoke.stdout == "revoked session \(second["session_id"]!.string!)\n")
        #expect(try !c.isActive(second["access_token"]!.string!))
        let gone = try Self.authctl(daemon.socketPath, ["session", "revoke", second["session_id"]!.string!])
        #expect(gone.status == 1)
        #expect(gone.stderr == "authctl: Session not found\n")

        let third = try c.login("alice")
        let others = try Self.authctl(daemon.socketPath, ["logout", "--scope", "others", token])
        #expect(others.stdout == "revoked (1 session ended)\n")
        #expect(try [c.isActive(token), c.isActive(third)] == [true, false])
        #expect(try Self.authctl(daemon.socketPath, ["logout", "--scope", "everywhere", token]).status == 2)
        #expect(try Self.authctl(daemon.socketPath, ["logout", "--scope", "global", token]).stdout == "revoked (1 session ended)\n")
        #expect(try !c.isActive(token))
    }

    @Test func callPrintsTheRawResultOfAMethodByName() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")

        let health = try Self.authctl(daemon.socketPath, ["call", "system.health"])
        #expect(health.status == 0)
        let result = try JSONParser.parse(health.stdout)
        #expect(result["status"] == "ok")
        #expect(result["storage"] == .string(storageKind))

        let get = try Self.authctl(daemon.socketPath, ["call", "users.get", #"{"id":1}"#])
        #expect(get.status == 0)
        #expect(try JSONParser.parse(get.stdout) == c.ok(.usersGet, ["id": 1]))

        let unknown = try Self.authctl(daemon.socketPath, ["call", "no.such.method"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "authctl: Method not found: no.such.method\n")
    }

    @Test func anUnprivilegedPeerNeedsTheTokenFromTokenOrAUTHD_TOKEN() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        try c.register("alice")
        try c.register("bob")
        let token = try c.login("alice")

        let anonymous = try Self.authctlAsNobody(daemon.socketPath, ["user", "show", "1"])
        #expect(anonymous.status == 1)
        #expect(anonymous.stdout == "")
        #expect(anonymous.stderr == "authctl: Invalid or missing token\n")
        let raw = try Self.authctlAsNobody(daemon.socketPath, ["call", "users.get", #"{"id":1}"#])
        #expect(raw.status == 1)
        #expect(try callAsNobody(daemon.socketPath, .usersGet, ["id": 1])["error"]?["code"] == -32001)

        let alice = try c.ok(.usersGet, ["id": 1])
        let flag = try Self.authctlAsNobody(daemon.socketPath, ["user", "show", "1", "--token", token])
        #expect(flag.status == 0, "\(flag.stderr)")
        #expect(flag.stdout == Self.shown(alice))
        let env = try Self.authctlAsNobody(daemon.socketPath, ["user", "show", "1"], environment: ["AUTHD_TOKEN": token])
        #expect(env.status == 0, "\(env.stderr)")
        #expect(env.stdout == Self.shown(alice))
        let call = try Self.authctlAsNobody(daemon.socketPath, ["call", "users.get", #"{"id":1}"#], environment: ["AUTHD_TOKEN": token])
        #expect(call.status == 0, "\(call.stderr)")
        #expect(try JSONParser.parse(call.stdout) == alice)

        // Forbidden is EX_NOPERM.
        let other = try Self.authctlAsNobody(daemon.socketPath, ["user", "show", "2", "--token", token])
        #expect(other.status == 77)
        #expect(other.stderr == "authctl: Not allowed to act on this user\n")
    }

    /// What authctl says when nothing is at `path`.
    static func absent(_ path: String) -> String {
        "authctl: cannot reach authd at \(path): No such file or directory\n"
            + "hint: \(path) does not exist: is authd running? See `systemctl status authd.socket`, "
            + "or give --socket PATH (--user for your own authd)\n"
    }

    @Test func aMissingSocketExits3AndNamesItsPathWithAHint() throws {
        let path = "/tmp/authd-test-absent-\(UUID().uuidString.prefix(8))/authd.sock"
        let flag = try Self.authctl(path, ["health"])
        #expect(flag.status == 3)
        #expect(flag.stdout == "")
        #expect(flag.stderr == Self.absent(path))

        let env = try run(TestDaemon.authctl, ["user", "list"], environment: Self.environment(["AUTHD_SOCKET": path]))
        #expect(env.status == 3)
        #expect(env.stderr == Self.absent(path))
    }

    @Test(arguments: [
        (["frobnicate"], "authctl: Unexpected argument 'frobnicate'"),
        (["user", "show", ""], "authctl: The value '' is invalid for '<user>'"),
        (["user", "show", "99999999999999999999"], "authctl: The value '99999999999999999999' is invalid for '<user>'"),
        (["user", "update", "1"], "authctl: Give at least one of --username, --email, --password, --password-stdin."),
        (["user", "update", "1", "--password", "--password-stdin"], "authctl: Give one of --password, --password-stdin."),
        (["health", "--json=long"],
         "authctl: The value 'long' is invalid for '--json <pretty|short>'. Please provide one of 'pretty' and 'short'."),
        (["login", "--password-stdin"], "authctl: Give exactly one of --username, --email."),
        (["verify"], "authctl: Give a token, as the argument, --token or $AUTHD_TOKEN."),
        (["call", "users.get", "[1]"], "authctl: The params must be a JSON object, not array."),
        (["user", "add", "alice", "--email", "alice@example.com", "--password-stdin"],
         "authctl: no password on standard input"),
    ])
    func aUsageErrorOrUnusableInputExits2BeforeConnecting(_ arguments: [String], _ message: String) throws {
        // The socket does not exist: the usage error must be found first, so the status is 2, not 3.
        let r = try run(TestDaemon.authctl, arguments, environment: Self.environment(["AUTHD_SOCKET": "/tmp/authd-test-absent/authd.sock"]))
        #expect(r.status == 2)
        #expect(r.stdout == "")
        #expect(r.stderr.split(separator: "\n").first.map(String.init) == message)
    }
}
}

/// What `system.health` reports as storage for the backend this run uses.
private let storageKind = TestBackend.isPostgres ? "postgresql" : "sqlite"
