import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// Sessions and refresh tokens (contract §7), on the store the suite runs against.
extension IntegrationTests {
@Suite struct SessionTests {
    /// A login's result (the whole of it).
    static func login(_ c: AuthClient, _ name: String, _ extra: [String: JSON] = [:]) throws -> JSON {
        try c.ok(.login, ["username": .string(name), "password": "Passw0rd!"].merging(extra) { $1 })
    }

    static func refresh(_ c: AuthClient, _ token: JSON, client: String? = nil) throws -> Result<JSON, RPCError> {
        var params: [String: JSON] = ["refresh_token": token]
        if let client { params["client"] = .string(client) }
        return try c.call(.refresh, params)
    }

    static func reason(_ result: Result<JSON, RPCError>) -> JSON? {
        if case .failure(let e) = result, e.code == -32001 { return e.data["reason"] ?? .null }
        return nil
    }

    @Test func aLoginOpensASessionWhoseTokensCarryItsID() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("opener")
        let login = try Self.login(c, "opener")
        let sid = try #require(login["session_id"]?.string)
        #expect(sid.utf8.count >= 22)
        #expect(login["refresh_token"]?.string?.utf8.count ?? 0 >= 43)
        #expect(login["refresh_expires_in"] == .int(7 * 86_400))
        #expect(login["session_token"] == nil)
        let verified = try c.ok(.verify, ["token": login["access_token"]!])
        #expect(verified["claims"]?["sid"] == .string(sid))
        #expect(verified["claims"]?["fresh"] == true)
        // Only the hashes are stored.
        let stored = try daemon.sql("SELECT token_hash FROM refresh_tokens")
        #expect(stored.count == 64 && stored != login["refresh_token"]?.string)
        let list = try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"]!.array!
        #expect(list.count == 1)
        #expect(list[0]["id"] == .string(sid))
        #expect(list[0]["amr"] == ["pwd"])
        #expect(list[0]["client"] == "uid:0")
        #expect(list[0]["current"] == false)
        #expect(list[0]["created_at"]?.string?.count == "2026-01-01T00:00:00.000Z".count)
        // auth.verify names the token's session (contract §8), as sessions.list does.
        #expect(verified["session"] == ["id": .string(sid), "amr": ["pwd"], "expires_at": list[0]["expires_at"]!])
    }

    @Test func aRefreshRotatesAndARetryWithinTheIntervalGetsTheSamePair() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("rotor")
        let login = try Self.login(c, "rotor")
        let first = try Self.refresh(c, login["refresh_token"]!).get()
        #expect(first["refresh_token"] != login["refresh_token"])
        #expect(first["access_token"] != login["access_token"])
        #expect(first["session_id"] == login["session_id"])
        #expect(first["user"]?["username"] == "rotor")
        let claims = try c.ok(.verify, ["token": first["access_token"]!])["claims"]!
        #expect(claims["fresh"] == false)
        #expect(claims["sid"] == login["session_id"])
        // The same retired token again: the same pair, and no further rotation.
        let retry = try Self.refresh(c, login["refresh_token"]!).get()
        #expect(retry["refresh_token"] == first["refresh_token"])
        #expect(retry["access_token"] == first["access_token"])
        #expect(try daemon.sql("SELECT COUNT(*) FROM refresh_tokens") == "2")
        // The new token rotates in turn; the first one is now two rotations old: reuse.
        let second = try Self.refresh(c, first["refresh_token"]!).get()
        #expect(second["refresh_token"] != first["refresh_token"])
        #expect(Self.reason(try Self.refresh(c, login["refresh_token"]!)) == "reused")
        for token in [login, first, second] { #expect(try !c.isActive(token["access_token"]!.string!)) }
        #expect(Self.reason(try Self.refresh(c, second["refresh_token"]!)) == "revoked")
        #expect(Self.reason(try Self.refresh(c, "no-such-token")) == .null)
        #expect(try c.metric(#"authd_refreshes_total{outcome="rotated"}"#) == 2)
        #expect(try c.metric(#"authd_refreshes_total{outcome="retried"}"#) == 1)
        #expect(try c.metric(#"authd_sessions_ended_total{reason="reuse"}"#) == 1)
    }

    @Test func reuseAfterTheIntervalOrFromAnotherClientEndsTheSession() async throws {
        let daemon = try await TestDaemon(["--refresh-reuse-interval", "1"])
        let c = try daemon.client()
        let id = try c.register("reuser")
        // From another client, even at once.
        let stolen = try Self.login(c, "reuser", ["client": "203.0.113.7"])
        _ = try Self.refresh(c, stolen["refresh_token"]!, client: "203.0.113.7").get()
        #expect(Self.reason(try Self.refresh(c, stolen["refresh_token"]!, client: "198.51.100.9")) == "reused")
        #expect(try !c.isActive(stolen["access_token"]!.string!))
        // After the interval, from the same client.
        let login = try Self.login(c, "reuser")
        let rotated = try Self.refresh(c, login["refresh_token"]!).get()
        let rotatedAt = ContinuousClock.now
        try await Task.sleep(until: rotatedAt + .milliseconds(1100))
        #expect(Self.reason(try Self.refresh(c, login["refresh_token"]!)) == "reused")
        #expect(try !c.isActive(login["access_token"]!.string!))
        #expect(try !c.isActive(rotated["access_token"]!.string!))
        #expect(Self.reason(try Self.refresh(c, rotated["refresh_token"]!)) == "revoked")
        #expect(try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"] == [])
        // Each reuse is an audit event of its own.
        #expect(await eventually { daemon.log.components(separatedBy: "a retired refresh token of user \(id) was presented again").count == 3 })
    }

    /// Twenty connections present one refresh token at once: one rotation, one pair for all.
    /// Sends one refresh of `token` on every connection at once; each answer must be the
    /// same new pair, with no error. Returns the answers.
    static func race(_ token: JSON, over clients: [AuthClient]) throws -> [JSON] {
        let request = RPCRequest(id: 1, method: RPCMethod.refresh.rawValue, params: ["refresh_token": token]).json
        for c in clients { try c.send(request) }
        let answers = try clients.map { try $0.receive() }
        #expect(answers.allSatisfy { $0["error"] == nil }, "\(answers.filter { $0["error"] != nil })")
        #expect(Set(answers.compactMap { $0["result"]?["refresh_token"]?.string }).count == 1)
        #expect(Set(answers.compactMap { $0["result"]?["access_token"]?.string }).count == 1)
        return answers
    }

    @Test func twentyConnectionsRacingOneRefreshGetOnePair() async throws {
        let daemon = try await TestDaemon()
        let setup = try daemon.client()
        try setup.register("racer")
        let login = try Self.login(setup, "racer")
        let answers = try Self.race(login["refresh_token"]!, over: try (0..<20).map { _ in try daemon.client() })
        #expect(try daemon.sql("SELECT COUNT(*) FROM refresh_tokens") == "2")
        #expect(try setup.metric(#"authd_refreshes_total{outcome="rotated"}"#) == 1)
        #expect(try setup.isActive(answers[0]["result"]!["access_token"]!.string!))
    }

    @Test func aSessionEndsAfterItsIdleTimeout() async throws {
        // Times with room for a loaded machine between the calls.
        let daemon = try await TestDaemon(["--session-idle-timeout", "3"])
        let c = try daemon.client()
        let id = try c.register("idler")
        let login = try Self.login(c, "idler")
        #expect(login["expires_in"] == 3)
        #expect(login["refresh_expires_in"] == 2 || login["refresh_expires_in"] == 3)
        // Used within the timeout, it lives on.
        try await Task.sleep(for: .milliseconds(1200))
        let kept = try Self.refresh(c, login["refresh_token"]!).get()
        try await Task.sleep(for: .milliseconds(1200))
        let again = try Self.refresh(c, kept["refresh_token"]!).get()
        #expect(try c.isActive(again["access_token"]!.string!))
        // Idle past it, it ends, and so do its tokens.
        try await Task.sleep(for: .milliseconds(3100))
        #expect(Self.reason(try Self.refresh(c, again["refresh_token"]!)) == "expired")
        #expect(try c.ok(.verify, ["token": again["access_token"]!])["reason"] == "expired")
        #expect(try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"] == [])
    }

    @Test func aSessionEndsAtItsLifetimeHoweverItIsUsed() async throws {
        let daemon = try await TestDaemon(["--session-lifetime", "4", "--session-idle-timeout", "60"])
        let c = try daemon.client()
        try c.register("mortal")
        let login = try Self.login(c, "mortal")
        var refresh = login["refresh_token"]!
        var last = login
        let started = ContinuousClock.now
        while ContinuousClock.now < started + .milliseconds(2500) {
            last = try Self.refresh(c, refresh).get()
            refresh = last["refresh_token"]!
            #expect(last["expires_in"]!.int64! <= 4)
            try await Task.sleep(for: .milliseconds(500))
        }
        try await Task.sleep(until: started + .milliseconds(4100))
        #expect(Self.reason(try Self.refresh(c, refresh)) == "expired")
        #expect(try !c.isActive(last["access_token"]!.string!))
    }

    @Test func thePerUserCapEndsTheLeastRecentlyUsedSession() async throws {
        let daemon = try await TestDaemon(["--max-sessions-per-user", "2"])
        let c = try daemon.client()
        let id = try c.register("capped")
        let a = try Self.login(c, "capped")
        let b = try Self.login(c, "capped")
        // a is used after b: b is now the least recently used.
        let aUsed = try Self.refresh(c, a["refresh_token"]!).get()
        let third = try Self.login(c, "capped")
        #expect(try !c.isActive(b["access_token"]!.string!))
        #expect(Self.reason(try Self.refresh(c, b["refresh_token"]!)) == "revoked")
        #expect(try c.isActive(aUsed["access_token"]!.string!))
        #expect(try c.isActive(third["access_token"]!.string!))
        let listed = try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"]!.array!.map { $0["id"]! }
        #expect(listed == [third["session_id"]!, a["session_id"]!])
        #expect(try c.metric(#"authd_sessions_ended_total{reason="cap"}"#) == 1)
        #expect(try c.metric("authd_sessions_opened_total") == 3)
    }

    /// A token a Flask service minted with the shared secret: it has no session.
    static func flaskToken(_ id: Int64) throws -> String {
        try python("""
            import sys
            from flask import Flask
            from flask_jwt_extended import JWTManager, create_access_token
            app = Flask(__name__)
            app.config["JWT_SECRET_KEY"] = sys.argv[1]
            JWTManager(app)
            with app.app_context():
                print(create_access_token(identity=sys.argv[2]))
            """, [testSecret, String(id)])
    }

    @Test func logoutScopesEndExactlyTheSessionsTheyName() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("scoper")
        let other = try c.register("bystander")
        let s = try (0..<4).map { _ in try Self.login(c, "scoper") }
        let bystander = try Self.login(c, "bystander")
        let sidless = try Self.flaskToken(id)
        let access = s.map { $0["access_token"]!.string! }
        let verifiedSidless = try c.ok(.verify, ["token": .string(sidless)])
        #expect(verifiedSidless["active"] == true && verifiedSidless["session"] == nil)
        // local (the default): this session alone.
        #expect(try c.ok(.logout, ["token": .string(access[0])]) == ["revoked": true, "sessions": 1])
        #expect(try [!c.isActive(access[0]), c.isActive(access[1]), c.isActive(access[2]), c.isActive(access[3]), c.isActive(sidless)]
                == [true, true, true, true, true])
        // others: every other session, and the tokens without one.
        #expect(try c.ok(.logout, ["token": .string(access[1]), "scope": "others"]) == ["revoked": true, "sessions": 2])
        #expect(try [c.isActive(access[1]), c.isActive(access[2]), c.isActive(access[3]), c.isActive(sidless)] == [true, false, false, false])
        #expect(Self.reason(try Self.refresh(c, s[2]["refresh_token"]!)) == "revoked")
        let later = try Self.login(c, "scoper")
        // global: all of them, this one too.
        #expect(try c.ok(.logout, ["token": .string(access[1]), "scope": "global"]) == ["revoked": true, "sessions": 2])
        #expect(try [c.isActive(access[1]), c.isActive(later["access_token"]!.string!)] == [false, false])
        #expect(try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"] == [])
        // Nobody else's.
        #expect(try c.isActive(bystander["access_token"]!.string!))
        #expect(try c.ok(.sessionsList, ["user_id": .int(other)])["sessions"]?.array?.count == 1)
        // A token without a session: local revokes it alone.
        let alone = try Self.flaskToken(other)
        try await Task.sleep(for: .milliseconds(1001))  // a Flask token of a later second than the cut above
        let kept = try Self.flaskToken(other)
        #expect(try c.ok(.logout, ["token": .string(alone)]) == ["revoked": true, "sessions": 0])
        #expect(try [c.isActive(alone), c.isActive(kept), c.isActive(bystander["access_token"]!.string!)] == [false, true, true])
        let bad = try c.failure(.logout, ["token": .string(kept), "scope": "everywhere"])
        #expect(bad.code == -32602)
        #expect(bad.data["fields"]?["scope"] == ["Must be one of: local, others, global."])
    }

    @Test func ownersListAndRevokeTheirSessionsAndPrivilegedPeersAnyones() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let alice = try c.register("alice")
        try c.register("mallory")
        let a1 = try Self.login(c, "alice")
        let a2 = try Self.login(c, "alice")
        let m = try Self.login(c, "mallory")
        // The owner, as an unprivileged peer.
        let listed = try callAsNobody(daemon.socketPath, .sessionsList, ["token": a1["access_token"]!])["result"]!["sessions"]!.array!
        #expect(listed.map { $0["id"]! } == [a2["session_id"]!, a1["session_id"]!])
        #expect(listed.map { $0["current"]! } == [false, true])
        #expect(listed[0]["client"] == "uid:0")
        let mine = try callAsNobody(daemon.socketPath, .sessionsRevoke, ["token": a1["access_token"]!, "session_id": a2["session_id"]!])
        #expect(mine["result"] == ["revoked": true])
        #expect(try !c.isActive(a2["access_token"]!.string!))
        // Another user's session, or one already ended: not found.
        for sid in [m["session_id"]!, a2["session_id"]!, "no-such-session"] {
            let r = try callAsNobody(daemon.socketPath, .sessionsRevoke, ["token": a1["access_token"]!, "session_id": sid])
            #expect(r["error"]?["code"] == -32004)
        }
        #expect(try c.isActive(m["access_token"]!.string!))
        // Another user's list: forbidden; no token: unauthenticated.
        let theirs = try callAsNobody(daemon.socketPath, .sessionsList, ["token": a1["access_token"]!, "user_id": .int(alice + 1)])
        #expect(theirs["error"]?["code"] == -32003)
        #expect(try callAsNobody(daemon.socketPath, .sessionsList, ["user_id": .int(alice)])["error"]?["code"] == -32001)
        // A privileged peer: anyone's, by user_id and by session_id alone.
        #expect(try c.ok(.sessionsList, ["user_id": .int(alice + 1)])["sessions"]?.array?.map { $0["id"]! } == [m["session_id"]!])
        #expect(try c.ok(.sessionsRevoke, ["session_id": m["session_id"]!]) == ["revoked": true])
        #expect(try !c.isActive(m["access_token"]!.string!))
        #expect(try c.failure(.sessionsList, ["user_id": 999_999]).code == -32004)
        #expect(try c.failure(.sessionsRevoke, ["session_id": m["session_id"]!]).code == -32004)
        #expect(try c.failure(.sessionsRevoke, [:]).code == -32602)
        #expect(try c.metric(#"authd_sessions_ended_total{reason="admin"}"#) == 1)
    }

    @Test func anEndedSessionStaysEndedAfterARestart() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        try c.register("durable")
        let ended = try Self.login(c, "durable")
        let kept = try Self.login(c, "durable")
        _ = try c.ok(.logout, ["token": ended["access_token"]!])
        try await daemon.restart()
        let after = try daemon.client()
        #expect(try after.ok(.verify, ["token": ended["access_token"]!])["reason"] == "revoked")
        #expect(Self.reason(try Self.refresh(after, ended["refresh_token"]!)) == "revoked")
        // A new instance knows the session from the storage alone.
        let verified = try after.ok(.verify, ["token": kept["access_token"]!])
        #expect(verified["active"] == true)
        #expect(verified["session"]?["id"] == kept["session_id"])
        #expect(verified["session"]?["amr"] == ["pwd"])
        #expect(verified["session"]?["expires_at"]?.string?.hasSuffix("Z") == true)
        #expect(try Self.refresh(after, kept["refresh_token"]!).get()["session_id"] == kept["session_id"])
    }

    /// The purger (at start, then every ten minutes) removes sessions that expired or
    /// ended, with their refresh tokens, once none of their access tokens is valid.
    @Test func finishedSessionsArePurgedWithTheirRefreshTokens() async throws {
        // Each step right after the one it needs: an access token lives at most as long
        // as the idle timeout, and a loaded machine takes its time between calls.
        let daemon = try await TestDaemon(["--session-idle-timeout", "2"])
        let c = try daemon.client()
        try c.register("purged")
        let ended = try Self.login(c, "purged")
        _ = try c.ok(.logout, ["token": ended["access_token"]!])
        let expired = try Self.login(c, "purged")
        _ = try Self.refresh(c, expired["refresh_token"]!).get()
        #expect(try daemon.sql("SELECT COUNT(*) FROM refresh_tokens") == "3")
        // The purger runs at start and counts whole seconds (it never purges early):
        // restart until it has found both sessions finished.
        #expect(try await eventually(within: .seconds(20), every: .milliseconds(250)) {
            try await daemon.restart()
            return try daemon.sql("SELECT COUNT(*) FROM sessions") == "0"
        }, "\(daemon.log)")
        #expect(try daemon.sql("SELECT COUNT(*) FROM refresh_tokens") == "0")
        #expect(try daemon.client().metric(#"authd_sessions_ended_total{reason="expired"}"#) == 1)
    }

    /// An unknown refresh token is a guess: counted per client in a bucket of its own;
    /// the locked client's guesses get -32029, its good refresh tokens and logins still work,
    /// and a privileged peer is never locked.
    @Test func unknownRefreshTokensCountPerClientAndLock() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup", "--login-client-limit", "3"])
        let c = try daemon.client()
        try c.register("refresher")
        let login = try Self.login(c, "refresher")
        for _ in 0..<5 { #expect(Self.reason(try Self.refresh(c, "root-guess")) == .null) }
        for _ in 0..<3 {
            let r = try callAsNobody(daemon.socketPath, .refresh, ["refresh_token": "guess"])
            #expect(r["error"]?["code"] == -32001 && r["error"]?["data"]?["reason"] == nil)
        }
        let locked = try callAsNobody(daemon.socketPath, .refresh, ["refresh_token": "another-guess"])
        #expect(locked["error"]?["code"] == -32029)
        #expect(locked["error"]?["data"]?["retry_after"]?.int64 != nil)
        let good = try callAsNobody(daemon.socketPath, .refresh, ["refresh_token": login["refresh_token"]!])
        #expect(good["result"]?["session_id"] == login["session_id"])
        let signIn = try callAsNobody(daemon.socketPath, .login, ["username": "refresher", "password": "Passw0rd!"])
        #expect(signIn["result"]?["access_token"] != nil)
    }

    @Test func aSessionTokenIsGoodExactlyAsLongAsItsSession() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("portal")
        let login = try Self.login(c, "portal", ["session_token": true, "label": "Firefox"])
        let cookie = try #require(login["session_token"])
        #expect(cookie.string?.utf8.count ?? 0 >= 43)
        let verified = try c.ok(.verify, ["token": cookie])
        #expect(verified["active"] == true)
        #expect(verified["user"]?["id"] == .int(id))
        #expect(verified["claims"]?["sid"] == login["session_id"])
        #expect(verified["claims"]?["type"] == "session")
        #expect(verified["session"]?["amr"] == ["pwd"])
        #expect(try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"]?.array?.first?["label"] == "Firefox")
        // It never rotates: a refresh leaves it as it is.
        _ = try Self.refresh(c, login["refresh_token"]!).get()
        #expect(try c.isActive(cookie.string!))
        #expect(try c.ok(.verify, ["token": "not-a-session-token"])["reason"] == "invalid")
        #expect(try c.failure(.login, ["username": "portal", "password": "Passw0rd!", "session_token": "yes"]).code == -32602)
        _ = try c.ok(.logout, ["token": login["access_token"]!])
        #expect(try c.ok(.verify, ["token": cookie])["reason"] == "revoked")
    }

    @Test func aPasswordChangeEndsEverySession() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("changer")
        let login = try Self.login(c, "changer")
        let sidless = try Self.flaskToken(id)
        #expect(try c.isActive(sidless))
        _ = try c.ok(.usersUpdate, ["id": .int(id), "password": "Changed#456"])
        #expect(Self.reason(try Self.refresh(c, login["refresh_token"]!)) == "revoked")
        // Tokens without a session end too (contract §7).
        #expect(try !c.isActive(sidless))
        #expect(try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"] == [])
        #expect(try c.metric(#"authd_sessions_ended_total{reason="password"}"#) == 1)
        let fresh = try c.ok(.login, ["username": "changer", "password": "Changed#456"])
        #expect(try Self.refresh(c, fresh["refresh_token"]!).get()["session_id"] == fresh["session_id"])
    }
}
}
