import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Account administration (contract §8) on the store the suite runs against: disabling,
/// groups, password resets, re-authentication for one's own changes, closed registration.
extension IntegrationTests {
@Suite struct AdminTests {
    static let hashes = "authd_pool_wait_seconds_count{pool=\"hash\"}"

    static func login(_ c: AuthClient, _ name: String, password: String = "Passw0rd!", _ extra: [String: JSON] = [:]) throws -> JSON {
        try c.ok(.login, ["username": .string(name), "password": .string(password)].merging(extra) { $1 })
    }

    /// The answer line to one request with a fixed id, as sent.
    static func rawAnswer(_ c: AuthClient, _ method: RPCMethod, _ params: [String: JSON]) throws -> String {
        try c.send(RPCRequest(id: 7, method: method.rawValue, params: params).json)
        return try c.receive().text
    }

    @Test func disablingEndsEverySessionAndTokenOfAUserSignedInTwice() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("mallory")
        let first = try Self.login(c, "mallory", ["session_token": true])
        let second = try Self.login(c, "mallory")
        // A token a Flask service minted, without a session, ends too (contract §7).
        let sidless = JSON.string(try SessionTests.flaskToken(id))
        for token in [first["access_token"]!, first["session_token"]!, second["access_token"]!, sidless] {
            #expect(try c.isActive(token.string!))
        }
        #expect(try c.ok(.usersDisable, ["id": .int(id), "reason": "left the company"]) == ["disabled": true])
        for token in [first["access_token"]!, first["session_token"]!, second["access_token"]!, sidless] {
            #expect(try !c.isActive(token.string!))
        }
        for refresh in [first["refresh_token"]!, second["refresh_token"]!] {
            let refused = try c.failure(.refresh, ["refresh_token": refresh])
            #expect(refused.code == -32001)
        }
        #expect(try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"] == [])
        let status = try c.ok(.usersStatus, ["id": .int(id)])
        #expect(status["disabled"] == true)
        #expect(status["disabled_reason"] == "left the company")
        #expect(status["disabled_at"]?.string != nil)
        #expect(status["sessions"] == 0)
        #expect(status["last_login_at"]?.string != nil)
        // Still listed and readable.
        #expect(try c.ok(.usersGet, ["id": .int(id)])["username"] == "mallory")
        #expect(try c.metric(#"authd_auth_events_total{event="disable"}"#) == 1)
        #expect(try c.metric(#"authd_sessions_ended_total{reason="disabled"}"#) == 2)
    }

    @Test func aDisabledUsersRightPasswordGetsExactlyTheAnswerOfAWrongOneAndSpendsAHash() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("trudy")
        _ = try c.ok(.usersDisable, ["id": .int(id)])
        let before = try #require(try c.metric(Self.hashes))
        let right = try Self.rawAnswer(c, .login, ["username": "trudy", "password": "Passw0rd!"])
        #expect(try c.metric(Self.hashes) == before + 1)
        let wrong = try Self.rawAnswer(c, .login, ["username": "trudy", "password": "Wr0ng-Pass!"])
        #expect(right == wrong)
        #expect(right.contains("-32001"))
        #expect(try c.ok(.usersLockout, ["id": .int(id)])["failures"] == 2)
    }

    @Test func enablingLetsTheUserLogInAgainAndRevivesNoOldToken() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("walter")
        let old = try Self.login(c, "walter", ["session_token": true])
        _ = try c.ok(.usersDisable, ["id": .int(id)])
        #expect(try c.ok(.usersEnable, ["id": .int(id)]) == ["disabled": false])
        #expect(try c.metric(#"authd_auth_events_total{event="enable"}"#) == 1)
        let status = try c.ok(.usersStatus, ["id": .int(id)])
        #expect(status["disabled"] == false && status["disabled_at"] == .null && status["disabled_reason"] == .null)
        let again = try Self.login(c, "walter")
        #expect(try c.isActive(again["access_token"]!.string!))
        #expect(try !c.isActive(old["access_token"]!.string!))
        #expect(try !c.isActive(old["session_token"]!.string!))
        #expect(try c.failure(.refresh, ["refresh_token": old["refresh_token"]!]).code == -32001)
    }

    @Test func groupsAreSetAddedAndRemovedAndShownByVerify() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("grouped")
        let token = try c.login("grouped")
        #expect(try c.ok(.verify, ["token": .string(token)])["groups"] == [])
        #expect(try c.ok(.usersSetGroups, ["id": .int(id), "groups": ["wiki", "admins", "wiki"]]) == ["groups": ["admins", "wiki"]])
        #expect(try c.ok(.verify, ["token": .string(token)])["groups"] == ["admins", "wiki"])
        // Add and remove are a read and a set (as authctl does them).
        var groups = try c.ok(.usersStatus, ["id": .int(id)])["groups"]!.array!
        groups.append("ops")
        _ = try c.ok(.usersSetGroups, ["id": .int(id), "groups": .array(groups)])
        groups = try c.ok(.usersStatus, ["id": .int(id)])["groups"]!.array!.filter { $0 != "admins" }
        #expect(try c.ok(.usersSetGroups, ["id": .int(id), "groups": .array(groups)]) == ["groups": ["ops", "wiki"]])
        #expect(try c.ok(.verify, ["token": .string(token)])["groups"] == ["ops", "wiki"])
        #expect(try c.metric(#"authd_auth_events_total{event="groups_changed"}"#) == 3)
        #expect(try c.ok(.usersSetGroups, ["id": .int(id), "groups": []]) == ["groups": []])
        #expect(try c.ok(.verify, ["token": .string(token)])["groups"] == [])
    }

    @Test func badGroupNamesAreInvalidParams() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("badgroups")
        for bad: JSON in [["Admins"], ["1st"], [""], ["a b"], [.string(String(repeating: "a", count: 33))], "admins", [1],
                          .array((0..<33).map { .string("g\($0)") })] {
            let e = try c.failure(.usersSetGroups, ["id": .int(id), "groups": bad])
            #expect(e.code == -32602, "\(bad.text)")
            #expect(e.data["fields"]?["groups"] != nil)
        }
        #expect(try c.failure(.usersSetGroups, ["id": .int(id)]).data["fields"] == ["groups": [.string("Missing data for required field.")]])
        #expect(try c.ok(.usersSetGroups, ["id": .int(id), "groups": [.string("a" + String(repeating: "-", count: 31))]])["groups"]?.array?.count == 1)
        #expect(try c.failure(.usersSetGroups, ["id": 9999, "groups": []]).code == -32004)
    }

    @Test func aResetTokenWorksOnceEndsEverySessionAndIsNotStoredInClear() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("forgetful")
        let sessions = [try Self.login(c, "forgetful"), try Self.login(c, "forgetful", ["session_token": true])]
        let issued = try c.ok(.usersResetToken, ["id": .int(id), "ttl": 600])
        #expect(issued["expires_in"] == 600)
        let reset = try #require(issued["reset_token"]?.string)
        #expect(reset.utf8.count >= 22)
        let stored = try daemon.sql("SELECT token_hash FROM password_resets WHERE user_id = \(id)")
        #expect(stored.count == 64 && !stored.contains(reset))
        let user = try c.ok(.resetPassword, ["reset_token": .string(reset), "password": "Brand-N3w-Pass"])
        #expect(user["id"] == .int(id))
        for s in sessions {
            #expect(try !c.isActive(s["access_token"]!.string!))
            #expect(try c.failure(.refresh, ["refresh_token": s["refresh_token"]!]).code == -32001)
        }
        #expect(try !c.isActive(sessions[1]["session_token"]!.string!))
        #expect(try c.failure(.login, ["username": "forgetful", "password": "Passw0rd!"]).code == -32001)
        #expect(try c.isActive(try c.login("forgetful", password: "Brand-N3w-Pass")))
        #expect(try c.metric(#"authd_auth_events_total{event="reset_issued"}"#) == 1)
        #expect(try c.metric(#"authd_auth_events_total{event="reset_used"}"#) == 1)
        let again = try c.failure(.resetPassword, ["reset_token": .string(reset), "password": "Other-N3w-Pass"])
        #expect(again.code == -32602)
        #expect(again.data["fields"] == ["reset_token": ["Invalid or expired reset token."]])
    }

    @Test func spentExpiredUnknownAndSupersededResetTokensGetTheSameError() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("resetter")
        let attempt = { (token: String) in try Self.rawAnswer(c, .resetPassword, ["reset_token": .string(token), "password": "Brand-N3w-Pass"]) }
        let unknown = try attempt("nosuchtoken")
        #expect(unknown.contains("-32602") && unknown.contains("reset_token"))
        // Only the newest is valid.
        let older = try c.ok(.usersResetToken, ["id": .int(id)])["reset_token"]!.string!
        let newer = try c.ok(.usersResetToken, ["id": .int(id)])["reset_token"]!.string!
        #expect(try attempt(older) == unknown)
        // Expired.
        try daemon.sql("UPDATE password_resets SET expires_at = 1")
        #expect(try attempt(newer) == unknown)
        // Spent.
        let spent = try c.ok(.usersResetToken, ["id": .int(id)])["reset_token"]!.string!
        _ = try c.ok(.resetPassword, ["reset_token": .string(spent), "password": "Brand-N3w-Pass"])
        #expect(try attempt(spent) == unknown)
        // Voided by a password change and by disabling.
        let changed = try c.ok(.usersResetToken, ["id": .int(id)])["reset_token"]!.string!
        _ = try c.ok(.usersUpdate, ["id": .int(id), "password": "Changed-Pass1"])
        #expect(try attempt(changed) == unknown)
        let disabled = try c.ok(.usersResetToken, ["id": .int(id)])["reset_token"]!.string!
        _ = try c.ok(.usersDisable, ["id": .int(id)])
        _ = try c.ok(.usersEnable, ["id": .int(id)])
        #expect(try attempt(disabled) == unknown)
        // One issued to a disabled user does not work while they stay disabled, and is not spent by trying.
        _ = try c.ok(.usersDisable, ["id": .int(id)])
        let whileDisabled = try c.ok(.usersResetToken, ["id": .int(id)])["reset_token"]!.string!
        #expect(try attempt(whileDisabled) == unknown)
        _ = try c.ok(.usersEnable, ["id": .int(id)])
        #expect(try c.failure(.login, ["username": "resetter", "password": "Brand-N3w-Pass"]).code == -32001)
        #expect(try attempt(whileDisabled).contains(#""result""#))
        #expect(try c.isActive(try c.login("resetter", password: "Brand-N3w-Pass")))
        // The password rules hold.
        let fresh = try c.ok(.usersResetToken, ["id": .int(id)])["reset_token"]!.string!
        let weak = try c.failure(.resetPassword, ["reset_token": .string(fresh), "password": "weak"])
        #expect(weak.code == -32602 && weak.data["fields"]?["password"] != nil && weak.data["fields"]?["reset_token"] == nil)
        #expect(try c.failure(.usersResetToken, ["id": .int(id), "ttl": 59]).code == -32602)
        #expect(try c.failure(.usersResetToken, ["id": .int(id), "ttl": 86_401]).code == -32602)
    }

    @Test func twoConcurrentUsesOfOneResetTokenSucceedOnce() async throws {
        let daemon = try await TestDaemon()
        let id = try daemon.client().register("racer")
        let clients = try (0..<8).map { _ in try daemon.client() }
        let reset = try clients[0].ok(.usersResetToken, ["id": .int(id)])["reset_token"]!
        for (n, c) in clients.enumerated() {
            try c.send(RPCRequest(id: .int(Int64(n)), method: RPCMethod.resetPassword.rawValue,
                                  params: ["reset_token": reset, "password": .string("Race-Pass\(n)")]).json)
        }
        let answers = try clients.map { try $0.receive() }
        #expect(answers.filter { $0["result"] != nil }.count == 1)
        #expect(answers.filter { $0["error"]?["code"] == -32602 }.count == 7)
    }

    @Test func failedResetsCountPerClientAndLock() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--login-client-limit", "3"])
        for _ in 0..<3 {
            let r = try callAsNobody(daemon.socketPath, .resetPassword, ["reset_token": "guess", "password": "Brand-N3w-Pass"])
            #expect(r["error"]?["code"] == -32602)
        }
        let locked = try callAsNobody(daemon.socketPath, .resetPassword, ["reset_token": "guess", "password": "Brand-N3w-Pass"])
        #expect(locked["error"]?["code"] == -32029)
        #expect(locked["error"]?["data"]?["retry_after"]?.int64 != nil)
    }

    /// Contract §8, for an unprivileged peer acting on itself with its token.
    @Test func ownPasswordChangeNeedsTheCurrentPasswordKeepsTheCallersSessionAndCountsFailures() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let id = try c.register("changer")
        let mine = try Self.login(c, "changer"), other = try Self.login(c, "changer")
        let token = mine["access_token"]!
        let missing = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": token, "password": "Changed#456",
                                                                        "email": "bad"])
        #expect(missing["error"]?["code"] == -32602)
        #expect(missing["error"]?["data"]?["fields"]?["current_password"] == ["Missing data for required field."])
        #expect(missing["error"]?["data"]?["fields"]?["email"] != nil)
        let wrong = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": token, "password": "Changed#456",
                                                                      "current_password": "Wr0ng-Pass!"])
        #expect(wrong["error"]?["data"]?["fields"] == ["current_password": ["Wrong password."]])
        #expect(try c.ok(.usersLockout, ["id": .int(id)])["failures"] == 1)
        #expect(try c.isActive(try c.login("changer")))
        let right = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": token, "password": "Changed#456",
                                                                      "current_password": "Passw0rd!"])
        #expect(right["result"]?["id"] == .int(id))
        #expect(try c.isActive(token.string!))
        #expect(try !c.isActive(other["access_token"]!.string!))
        #expect(try c.failure(.refresh, ["refresh_token": other["refresh_token"]!]).code == -32001)
        #expect(try c.ok(.refresh, ["refresh_token": mine["refresh_token"]!])["session_id"] == mine["session_id"])
        #expect(try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"]?.array?.map { $0["id"]! } == [mine["session_id"]!])
    }

    @Test func aWrongCurrentPasswordLocksLikeALogin() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--login-account-limit", "2"])
        let c = try daemon.client()
        let id = try c.register("locked")
        let token = JSON.string(try c.login("locked"))
        for _ in 0..<2 {
            let r = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": token, "password": "Changed#456",
                                                                      "current_password": "Wr0ng-Pass!"])
            #expect(r["error"]?["code"] == -32602)
        }
        let locked = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": token, "password": "Changed#456",
                                                                       "current_password": "Passw0rd!"])
        #expect(locked["error"]?["code"] == -32029)
        #expect(try c.failure(.login, ["username": "locked", "password": "Changed#456"]).code == -32001)
    }

    @Test func ownEmailChangeAndDeletionNeedTheCurrentPasswordOrAFreshToken() async throws {
        // Whole seconds: a window of 3 leaves a token fresh for at least 2 s, room for a loaded machine.
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--fresh-window", "3"])
        let c = try daemon.client()
        let id = try c.register("mover")
        let login = try Self.login(c, "mover")
        // Tokens from a refresh are never fresh.
        let stale = try c.ok(.refresh, ["refresh_token": login["refresh_token"]!])["access_token"]!
        let e = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": stale, "email": "m@example.net"])
        #expect(e["error"]?["data"]?["fields"] == ["current_password": ["Missing data for required field."]])
        let withPassword = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": stale, "email": "m@example.net",
                                                                             "current_password": "Passw0rd!"])
        #expect(withPassword["result"]?["email"] == "m@example.net")
        let fresh = JSON.string(try c.login("mover"))
        let byFresh = try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": fresh, "email": "n@example.net"])
        #expect(byFresh["result"]?["email"] == "n@example.net")
        let refused = try callAsNobody(daemon.socketPath, .usersDelete, ["id": .int(id), "token": stale])
        #expect(refused["error"]?["data"]?["fields"] == ["current_password": ["Missing data for required field."]])
        // Past the window a login's token is no longer fresh either (an email change, harmless while it is, tells).
        #expect(try await eventually(within: .seconds(8), every: .milliseconds(200)) {
            try callAsNobody(daemon.socketPath, .usersUpdate, ["id": .int(id), "token": fresh, "email": "o@example.net"])["error"]?["code"]
                == -32602
        })
        let late = try callAsNobody(daemon.socketPath, .usersDelete, ["id": .int(id), "token": fresh])
        #expect(late["error"]?["data"]?["fields"] == ["current_password": ["Missing data for required field."]])
        let deleted = try callAsNobody(daemon.socketPath, .usersDelete, ["id": .int(id), "token": fresh, "current_password": "Passw0rd!"])
        #expect(deleted["result"] == ["deleted": true])
    }

    @Test func aPrivilegedPasswordChangeEndsEverySession() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("managed")
        let sessions = [try Self.login(c, "managed"), try Self.login(c, "managed")]
        _ = try c.ok(.usersUpdate, ["id": .int(id), "password": "Changed#456"])
        for s in sessions {
            #expect(try !c.isActive(s["access_token"]!.string!))
            #expect(try c.failure(.refresh, ["refresh_token": s["refresh_token"]!]).code == -32001)
        }
    }

    @Test func everyAdministrationMethodRefusesUnprivilegedPeers() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let id = try c.register("peon")
        let token = JSON.string(try c.login("peon"))
        let calls: [(RPCMethod, [String: JSON])] = [
            (.usersDisable, ["id": .int(id)]), (.usersEnable, ["id": .int(id)]), (.usersStatus, ["id": .int(id)]),
            (.usersSetGroups, ["id": .int(id), "groups": ["admins"]]), (.usersResetToken, ["id": .int(id)]),
        ]
        for (method, params) in calls {
            for withToken in [false, true] {
                let r = try callAsNobody(daemon.socketPath, method, withToken ? params.merging(["token": token]) { $1 } : params)
                #expect(r["error"]?["code"] == (withToken ? -32003 : -32001), "\(method.rawValue)")
            }
        }
        #expect(try c.ok(.usersStatus, ["id": .int(id)])["groups"] == [])
    }

    @Test func closedRegistrationRefusesUnprivilegedPeersAndAReloadOpensIt() async throws {
        let dir = makeTestDirectory()
        let envFile = "\(dir)/authd.env"
        try "AUTHD_REGISTRATION=closed\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        let notify = try NotifyListener(path: "\(dir)/notify.sock")
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--env-file", envFile], environment: ["NOTIFY_SOCKET": notify.path],
                                          directory: dir)
        _ = notify.messages(until: "READY=1")
        let register = { (name: String) in
            try callAsNobody(daemon.socketPath, .register, ["username": .string(name), "email": .string("\(name)@example.com"),
                                                            "password": "Passw0rd!"])
        }
        #expect(try register("outsider")["error"]?["code"] == -32003)
        #expect(try daemon.client().register("insider") > 0)
        try "AUTHD_REGISTRATION=open\n".write(toFile: envFile, atomically: true, encoding: .utf8)
        kill(daemon.process.pid, SIGHUP)
        _ = notify.messages(until: "READY=1")
        #expect(try register("newcomer")["result"]?["username"] == "newcomer")
        #expect(try daemon.client().failure(.register, ["username": "x"]).code == -32602)
    }
}
}
