import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// authctl as an administrator meets it (issue #14): users by name, exit codes, JSON
/// styles and JSON errors, tables, the terminal (through a real pty), the system socket.
extension IntegrationTests.AuthctlTests {
    @Test func usersAreNamedByUsernameEmailOrIDInShowUpdateUnlockAndDelete() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        try c.register("bob")
        let alice = try c.ok(.usersGet, ["id": 1])

        for name in ["alice", "ALICE", "alice@example.com", "1"] {
            let show = try Self.authctl(daemon.socketPath, ["user", "show", name])
            #expect(show.status == 0, "\(name): \(show.stderr)")
            #expect(show.stdout == Self.shown(alice) + Self.shownStatus, "\(name)")
        }
        let missing = try Self.authctl(daemon.socketPath, ["user", "show", "nobody-here"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "authctl: User not found\n")

        let update = try Self.authctl(daemon.socketPath, ["user", "update", "bob@example.com", "--username", "robert"])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(try c.ok(.usersGet, ["id": 2])["username"] == "robert")

        let unlock = try Self.authctl(daemon.socketPath, ["user", "unlock", "robert"])
        #expect(unlock.status == 0, "\(unlock.stderr)")
        #expect(unlock.stdout == "unlocked user 2\n")

        // No terminal: no question, as scripts expect.
        let delete = try Self.authctl(daemon.socketPath, ["user", "delete", "robert"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(delete.stdout == "deleted user 2\n")
        #expect(try c.failure(.usersGet, ["id": 2]).code == -32004)
    }

    /// Issue #17's commands: disable (with a reason) and enable, groups, reset, and the status in user show.
    @Test func userDisableEnableGroupsAndResetActAndShowInUserShow() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        try c.register("alice")
        let token = try c.login("alice")
        let disable = try Self.authctl(daemon.socketPath, ["user", "disable", "alice", "--reason", "on leave"])
        #expect(disable.status == 0, "\(disable.stderr)")
        #expect(disable.stdout == "disabled user 1\n")
        #expect(try !c.isActive(token))
        let shown = try JSONParser.parse(try Self.authctl(daemon.socketPath, ["user", "show", "alice", "--json"]).stdout)
        #expect(shown["disabled"] == true && shown["disabled_reason"] == "on leave" && shown["last_login_at"]?.string != nil)
        let text = try Self.authctl(daemon.socketPath, ["user", "show", "alice"]).stdout
        #expect(text.contains("\ndisabled: true\n") && text.contains("\ndisabled_reason: on leave\n"), "\(text)")
        #expect(try Self.authctl(daemon.socketPath, ["user", "enable", "1"]).stdout == "enabled user 1\n")
        #expect(try c.ok(.usersStatus, ["id": 1])["disabled"] == false)

        #expect(try Self.authctl(daemon.socketPath, ["user", "groups", "alice"]).stdout == "-\n")
        #expect(try Self.authctl(daemon.socketPath, ["user", "groups", "alice", "--set", "wiki,admins"]).stdout == "admins,wiki\n")
        #expect(try Self.authctl(daemon.socketPath, ["user", "groups", "alice", "--add", "ops"]).stdout == "admins,ops,wiki\n")
        #expect(try Self.authctl(daemon.socketPath, ["user", "groups", "alice", "--remove", "admins,wiki"]).stdout == "ops\n")
        #expect(try Self.authctl(daemon.socketPath, ["user", "groups", "alice", "--json"]).stdout == "{\"groups\":[\"ops\"]}\n")
        let bad = try Self.authctl(daemon.socketPath, ["user", "groups", "alice", "--add", "Bad Name"])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("authctl: Validation failed\n  groups: "), "\(bad.stderr)")
        let both = try Self.authctl(daemon.socketPath, ["user", "groups", "alice", "--add", "a", "--remove", "b"])
        #expect(both.status == 2)
        #expect(try Self.authctl(daemon.socketPath, ["user", "groups", "alice", "--set", ""]).stdout == "-\n")

        let reset = try Self.authctl(daemon.socketPath, ["user", "reset", "alice", "--ttl", "600"])
        #expect(reset.status == 0, "\(reset.stderr)")
        let secret = reset.stdout.trimmingCharacters(in: .newlines)
        #expect(secret.utf8.count >= 22 && !secret.contains(" "))
        _ = try c.ok(.resetPassword, ["reset_token": .string(secret), "password": "N3w-Passw0rd"])
        #expect(try c.isActive(try c.login("alice", password: "N3w-Passw0rd")))
        #expect(try Self.authctl(daemon.socketPath, ["user", "reset", "alice", "--ttl", "10"]).status == 1)
        // With the portal's address (flag, else $AUTHD_PORTAL_URL), the link to its reset page too.
        let linked = try Self.authctl(daemon.socketPath, ["user", "reset", "alice", "--portal-url", "https://sso.example.com/"])
        let lines = linked.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[1] == "https://sso.example.com/reset?token=" + lines[0], "\(linked.stdout)")
        let fromEnvironment = try Self.authctl(daemon.socketPath, ["user", "reset", "alice", "--json=short"],
                                               environment: ["AUTHD_PORTAL_URL": "https://sso.example.com"])
        let answer = try JSONParser.parse(fromEnvironment.stdout)
        #expect(answer["reset_url"]?.string == "https://sso.example.com/reset?token=" + (answer["reset_token"]?.string ?? "-"))
        let notAURL = try Self.authctl(daemon.socketPath, ["user", "reset", "alice", "--portal-url", "sso.example.com"])
        #expect(notAURL.status == 2 && notAURL.stderr.contains("http:// or https://"), "\(notAURL.stderr)")

        // A user's own password change needs the current one (contract §8).
        let mine = try c.login("alice", password: "N3w-Passw0rd")
        let without = try Self.authctlAsNobody(daemon.socketPath, ["user", "update", "1", "--password-stdin"],
                                               environment: ["AUTHD_TOKEN": mine], stdin: "Other-Passw0rd\n")
        #expect(without.status == 1 && without.stderr.contains("current_password"), "\(without.stderr)")
        let with = try Self.authctlAsNobody(daemon.socketPath, ["user", "update", "1", "--current-password-stdin", "--password-stdin"],
                                            environment: ["AUTHD_TOKEN": mine], stdin: "N3w-Passw0rd\nOther-Passw0rd\n")
        #expect(with.status == 0, "\(with.stderr)")
        #expect(try c.isActive(mine))
        #expect(try c.isActive(try c.login("alice", password: "Other-Passw0rd")))

        // Unprivileged: refused (77) as every privileged command is.
        for command in [["disable", "alice"], ["enable", "alice"], ["groups", "1", "--add", "x"], ["reset", "1"]] {
            let r = try Self.authctlAsNobody(daemon.socketPath, ["user"] + command, environment: ["AUTHD_TOKEN": token])
            #expect(r.status != 0, "\(command)")
        }
    }

    @Test func userAddChecksTheNameAndEmailBeforeAskingForThePassword() async throws {
        let daemon = try await TestDaemon()
        // No stdin at all: had it asked first, it would say there is no password.
        let r = try Self.authctl(daemon.socketPath, ["user", "add", "1234", "--email", "not-an-address", "--password-stdin"])
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr.hasPrefix("authctl: Validation failed\n  email: "), "\(r.stderr)")
        #expect(r.stderr.contains("\n  username: "), "\(r.stderr)")
        #expect(try daemon.client().ok(.usersList)["users"] == [])
    }

    @Test func retryLaterExits75() async throws {
        let daemon = try await TestDaemon(["--login-account-limit", "1"])
        try daemon.client().register("alice")
        let wrong = try Self.authctl(daemon.socketPath, ["login", "--username", "alice", "--password-stdin"], stdin: "Wr0ng-pass\n")
        #expect(wrong.status == 1)
        let locked = try Self.authctl(daemon.socketPath, ["login", "--username", "alice", "--password-stdin"], stdin: "Passw0rd!\n")
        #expect(locked.status == 75, "\(locked.stderr)")
        #expect(locked.stderr.hasPrefix("authctl: "), "\(locked.stderr)")
        #expect(locked.stderr.contains("retry after "), "\(locked.stderr)")

        // The user's lockout shows in both forms of user show.
        let shown = try Self.authctl(daemon.socketPath, ["user", "show", "alice", "--json"])
        let user = try JSONParser.parse(shown.stdout)
        #expect(user["failed_logins"] == 1)
        #expect(user["locked_until"]?.string != nil)
    }

    @Test func jsonIsShortOrPrettyAndErrorsUnderJSONAreJSONOnStdout() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let stored = try c.ok(.usersGet, ["id": 1])

        // Not a terminal: a bare --json is short.
        let bare = try Self.authctl(daemon.socketPath, ["call", "users.get", #"{"id":1}"#, "--json"])
        #expect(bare.stdout == stored.text + "\n")
        let short = try Self.authctl(daemon.socketPath, ["--json=short", "health"])
        #expect(short.stdout.filter { $0 == "\n" }.count == 1)
        let pretty = try Self.authctl(daemon.socketPath, ["call", "users.get", #"{"id":1}"#, "--json=pretty"])
        #expect(pretty.stdout == """
            {
              "created_at": "\(stored["created_at"]!.string!)",
              "email": "alice@example.com",
              "id": 1,
              "username": "alice"
            }

            """)

        let missing = try Self.authctl(daemon.socketPath, ["user", "show", "99", "--json"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "")
        #expect(try JSONParser.parse(missing.stdout) == ["error": ["code": -32004, "message": "User not found", "data": ["status": 404]]])

        let path = "/tmp/authd-test-absent-\(UUID().uuidString.prefix(8))/authd.sock"
        let unreachable = try Self.authctl(path, ["health", "--json"])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr == "")
        let error = try JSONParser.parse(unreachable.stdout)["error"]
        #expect(error?["code"] == .null)
        #expect(error?["message"] == .string("cannot reach authd at \(path): No such file or directory"))
        #expect(error?["data"]?["exit_status"] == 3)
        #expect(error?["data"]?["hint"]?.string?.contains("systemctl status authd.socket") == true)
    }

    @Test func userListFiltersDropsTheLegendAndPagesThroughPAGEROnATerminal() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        for name in ["ann", "bob", "annabel"] { try c.register(name) }

        let filtered = try Self.authctl(daemon.socketPath, ["user", "list", "--filter", "ANN", "--no-legend"])
        #expect(filtered.status == 0)
        #expect(filtered.stdout.split(separator: "\n").map { $0.split(separator: " ")[1] } == ["ann", "annabel"])
        let none = try Self.authctl(daemon.socketPath, ["user", "list", "--filter", "zed"])
        #expect(none.stdout == "0 users listed.\n")
        let byEmail = try Self.authctl(daemon.socketPath, ["user", "list", "--filter", "bob@", "--json"])
        #expect(try JSONParser.parse(byEmail.stdout)["users"]?.array?.count == 1)

        // Every user (more than one page of the daemon's default 50), through the pager.
        for n in 1...60 { try c.register("user\(n)") }
        let env = Self.environment(["PAGER": "sed s/^/paged:/"])
        let paged = try TerminalRun([TestDaemon.authctl, "user", "list", "--socket", daemon.socketPath], environment: env)
        #expect(paged.status == 0)
        let lines = paged.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.allSatisfy { $0.hasPrefix("paged:") }, "\(paged.text)")
        #expect(lines.last == "paged:63 users listed.")
        let unpaged = try TerminalRun([TestDaemon.authctl, "user", "list", "--no-pager", "--socket", daemon.socketPath], environment: env)
        #expect(!unpaged.text.contains("paged:"))
        #expect(unpaged.text.hasSuffix("\n63 users listed.\n"))
    }

    @Test func passwordsAreAskedForWithoutEchoAndDeleteAsksOnATerminal() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let old = try c.login("alice")
        let env = Self.environment()
        let socket = ["--socket", daemon.socketPath]

        let update = try TerminalRun([TestDaemon.authctl, "user", "update", "alice", "--password"] + socket,
                                     answers: ["N3w-Passw0rd", "N3w-Passw0rd"], environment: env)
        #expect(update.status == 0, "\(update.text)")
        #expect(update.echo == [false, false])
        #expect(!update.text.contains("N3w-Passw0rd"))
        #expect(try c.isActive(old) == false)
        #expect(try c.isActive(c.login("alice", password: "N3w-Passw0rd")))

        // --password-stdin typed at a terminal does not echo either.
        let typed = try TerminalRun([TestDaemon.authctl, "login", "--username", "alice", "--password-stdin"] + socket,
                                    answers: ["N3w-Passw0rd"], environment: env)
        #expect(typed.status == 0, "\(typed.text)")
        #expect(typed.echo == [false])
        #expect(!typed.text.contains("N3w-Passw0rd"))

        let declined = try TerminalRun([TestDaemon.authctl, "user", "delete", "alice"] + socket, answers: ["n"], environment: env)
        #expect(declined.status == 1)
        #expect(declined.text.contains("Delete user 1 (alice) and revoke their tokens? [y/N] "))
        #expect(declined.text.contains("authctl: user 1 not deleted\n"))
        #expect(try c.ok(.usersGet, ["id": 1])["username"] == "alice")

        let confirmed = try TerminalRun([TestDaemon.authctl, "user", "delete", "alice"] + socket, answers: ["y"], environment: env)
        #expect(confirmed.status == 0, "\(confirmed.text)")
        #expect(confirmed.text.hasSuffix("deleted user 1\n"))
        try c.register("bob")
        let yes = try TerminalRun([TestDaemon.authctl, "user", "delete", "bob", "--yes"] + socket, environment: env)
        #expect(yes.status == 0)
        #expect(yes.text == "deleted user 2\n")
    }

    @Test func callIsPrettyOnATerminalAndMetricsPrintsThePrometheusText() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let pretty = try TerminalRun([TestDaemon.authctl, "call", "system.health", "--socket", daemon.socketPath],
                                     environment: Self.environment())
        #expect(pretty.status == 0)
        #expect(pretty.text.hasPrefix("{\n  \""), "\(pretty.text)")

        let metrics = try Self.authctl(daemon.socketPath, ["metrics"])
        #expect(metrics.status == 0)
        #expect(metrics.stdout.hasPrefix("# "), "\(metrics.stdout.prefix(80))")
        #expect(metrics.stdout.contains("\nauthd_login_failures_total "), "\(metrics.stdout)")
        #expect(metrics.stdout.hasSuffix("\n") && !metrics.stdout.hasSuffix("\n\n"))
        let nobody = try Self.authctlAsNobody(daemon.socketPath, ["metrics"])
        #expect(nobody.status == 77)
    }

    @Test func anImportByAnUnprivilegedUserExits77() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        try c.register("alice")
        let token = try c.login("alice")
        let hash = "$2b$04$" + String(repeating: "a", count: 53)
        let nobody = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", TestDaemon.authctl,
                                                  "user", "import", "--socket", daemon.socketPath],
                             stdin: "username,email,password_hash\nbob,bob@example.com,\(hash)\n",
                             environment: Self.environment(["AUTHD_TOKEN": token]))
        #expect(nobody.status == 77, "\(nobody.stdout)\(nobody.stderr)")
        #expect(nobody.stdout.contains("refused bob"), "\(nobody.stdout)")
    }

    @Test func aStaleAUTHD_TOKENIsNamedWithWhatToDo() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("alice")
        let token = try c.login("alice")
        _ = try c.ok(.logout, ["token": .string(token)])

        let env = try Self.authctl(daemon.socketPath, ["user", "list"], environment: ["AUTHD_TOKEN": token])
        #expect(env.status == 1)
        #expect(env.stderr == """
            authctl: Invalid or missing token
            hint: the token in $AUTHD_TOKEN was refused (expired, revoked or not authd's): log in again with \
            `export AUTHD_TOKEN=$(authctl login --username NAME)`, or `unset AUTHD_TOKEN` (root and authd-admins need none)

            """)
        let flag = try Self.authctl(daemon.socketPath, ["user", "show", "1", "--token", token])
        #expect(flag.stderr == "authctl: Invalid or missing token\n"
                    + "hint: the token given with --token was refused (expired, revoked or not authd's): log in again\n")
    }

    @Test func theSystemSocketIsTheDefaultAndVersionPrintsTheVersion() throws {
        // The test machine runs no system authd: the message names the system socket.
        let r = try run(TestDaemon.authctl, ["health"], environment: Self.environment())
        #expect(r.status == 3)
        #expect(r.stderr == Self.absent("/run/authd/authd.sock"))

        let version = try run(TestDaemon.authctl, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == authdVersion + "\n")
    }

    @Test func completionsLoadInBashZshAndFish() throws {
        let dir = makeTestDirectory()
        for shell in ["bash", "zsh", "fish"] {
            let script = try run(TestDaemon.authctl, ["--generate-completion-script", shell])
            #expect(script.status == 0)
            try script.stdout.write(toFile: "\(dir)/authctl.\(shell)", atomically: true, encoding: .utf8)
        }
        // The method names are offered for `call`, files for `user import` and `--socket`.
        let bash = try run("/bin/bash", ["-c", "source \(dir)/authctl.bash && complete -p authctl"])
        #expect(bash.status == 0, "\(bash.stderr)")
        #expect(bash.stdout.contains("authctl"))
        let zsh = try run("/usr/bin/zsh", ["-c", "autoload -U compinit && compinit -u && source \(dir)/authctl.zsh && whence -w _authctl"])
        #expect(zsh.status == 0, "\(zsh.stderr)")
        #expect(zsh.stdout.contains("_authctl: function"))
        let fish = try run("/usr/bin/fish", ["-c", "source \(dir)/authctl.fish; complete -C 'authctl call system.h'; complete -C 'authctl us'"])
        #expect(fish.status == 0, "\(fish.stderr)")
        #expect(fish.stdout.contains("system.health"), "\(fish.stdout)")
        #expect(fish.stdout.contains("user"), "\(fish.stdout)")
        let script = try String(contentsOfFile: "\(dir)/authctl.bash", encoding: .utf8)
        #expect(script.contains("rpc.discover"))
    }
}

extension IntegrationTests.AuthctlTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theManPageListsEveryCommandAndExitStatusAndTheREADMEEveryMethod() throws {
        let man = try String(contentsOf: Self.root.appendingPathComponent("man/authctl.1"), encoding: .utf8)
        // The commands as authctl's own help lists them, user's subcommands included.
        func commands(_ arguments: [String]) throws -> [String] {
            let help = try run(TestDaemon.authctl, arguments + ["--help"]).stdout
            let section = help.components(separatedBy: "SUBCOMMANDS:\n").last?.components(separatedBy: "\n\n").first ?? ""
            // A command's line is indented two blanks; its abstract's continuation more.
            return section.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
                .compactMap { $0.split(separator: " ").first.map(String.init) }
        }
        let top = try commands([])
        #expect(top.contains("metrics") && top.contains("user"), "\(top)")
        for command in top where command != "user" && command != "session" {
            #expect(man.contains(".B \(command)") || man.contains(".BI \"\(command) ") || man.contains(".BR \"\(command) "),
                    "authctl.1 lacks \(command)")
        }
        for group in ["user", "session"] {
            for command in try commands([group]) {
                #expect(man.contains("\(group) \(command)"), "authctl.1 lacks \(group) \(command)")
            }
        }
        let status = man.components(separatedBy: ".SH EXIT STATUS").last?.components(separatedBy: ".SH ").first ?? ""
        for code in ["0", "1", "2", "3", "75", "77"] {
            #expect(status.contains(".B \(code)\n"), "authctl.1 lacks exit status \(code)")
        }

        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let interface = readme.components(separatedBy: "## The interface").last?.components(separatedBy: "\n\n").dropFirst().first ?? ""
        for method in RPCMethod.allCases {
            #expect(interface.contains("`\(method.rawValue)`"), "README's method list lacks \(method.rawValue)")
        }
        #expect(!readme.contains("socat"))
    }
}
