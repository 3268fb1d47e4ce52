import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// Two-factor sign-in (contract §9) on the store the suite runs against, with pyotp, a
/// real authenticator implementation, computing the codes.
extension IntegrationTests {
@Suite struct MFATests {
    /// The codes of `secret` at these step offsets from now, computed by pyotp at one instant.
    static func codes(_ secret: String, _ offsets: [Int]) throws -> [String] {
        try python("""
            import pyotp, sys, time
            t = pyotp.TOTP(sys.argv[1]); now = time.time()
            print(" ".join(t.at(now + 30 * int(o)) for o in sys.argv[2].split(",")))
            """, [secret, offsets.map(String.init).joined(separator: ",")]).split(separator: " ").map(String.init)
    }

    /// Waits, when a step is about to end, for the next to begin, so that codes computed
    /// now are still of the steps they were computed for when authd checks them.
    static func awayFromAStepBoundary() async throws {
        let into = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 30)
        if into > 22 { try await Task.sleep(for: .milliseconds(Int((30.3 - into) * 1000))) }
    }

    static func strings(_ value: JSON?) -> [String]? { value?.array?.compactMap { $0.string } }

    /// A user with TOTP confirmed: its id, secret, recovery codes, and the confirming login.
    struct Enrolled {
        var id: Int64
        var secret: String
        var recoveryCodes: [String]
        var login: JSON
    }

    static func enroll(_ c: AuthClient, _ name: String, password: String = "Passw0rd!") async throws -> Enrolled {
        let id = try c.register(name, password: password)
        let login = try c.ok(.login, ["username": .string(name), "password": .string(password)])
        let token = login["access_token"]!
        let enrolled = try c.ok(.totpEnroll, ["token": token, "current_password": .string(password)])
        let secret = try #require(enrolled["secret"]?.string)
        try await awayFromAStepBoundary()
        let confirmed = try c.ok(.totpConfirm, ["token": token, "code": .string(try codes(secret, [0])[0])])
        let recovery = try #require(Self.strings(confirmed["recovery_codes"]))
        return Enrolled(id: id, secret: secret, recoveryCodes: recovery, login: login)
    }

    /// The password step of a user with TOTP: its mfa_token.
    static func passwordStep(_ c: AuthClient, _ name: String, password: String = "Passw0rd!", client: String? = nil) throws -> JSON {
        var params: [String: JSON] = ["username": .string(name), "password": .string(password)]
        if let client { params["client"] = .string(client) }
        let answer = try c.ok(.login, params)
        #expect(answer["mfa_required"] == true)
        #expect(answer["access_token"] == nil && answer["refresh_token"] == nil)
        #expect(answer["expires_in"] == 300 && answer["methods"] == ["totp", "recovery_code"])
        return try #require(answer["mfa_token"])
    }

    @Test func enrollmentWithPyotpThenALoginNeedsTheCodeAndItsSessionIsPwdAndOtp() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("twofactor")
        let other = try SessionTests.login(c, "twofactor")
        let login = try SessionTests.login(c, "twofactor")
        let token = login["access_token"]!
        // The current password is required, and a wrong one is a failed login.
        #expect(try c.failure(.totpEnroll, ["token": token]).data["fields"]?["current_password"] != nil)
        #expect(try c.failure(.totpEnroll, ["token": token, "current_password": "Wr0ng-Pass!"]).code == -32602)
        #expect(try c.ok(.usersLockout, ["id": .int(id)])["failures"] == 1)
        let enrolled = try c.ok(.totpEnroll, ["token": token, "current_password": "Passw0rd!"])
        #expect(enrolled["expires_in"] == 600)
        let secret = try #require(enrolled["secret"]?.string)
        let uri = try #require(enrolled["otpauth_uri"]?.string)
        #expect(uri == "otpauth://totp/authd:twofactor?secret=\(secret)&issuer=authd&algorithm=SHA1&digits=6&period=30")
        // pyotp reads the URI as an authenticator app does, and agrees on every parameter.
        let parsed = try python("""
            import pyotp, sys
            t = pyotp.parse_uri(sys.argv[1])
            print(t.secret, t.issuer, t.name, t.digits, t.interval, t.digest().name)
            """, [uri])
        #expect(parsed == "\(secret) authd twofactor 6 30 sha1")
        #expect(try c.ok(.usersStatus, ["id": .int(id)])["mfa"] == [], "pending is not enrolled")
        // Still pending: a login needs no code yet.
        #expect(try SessionTests.login(c, "twofactor")["access_token"] != nil)
        try await Self.awayFromAStepBoundary()
        #expect(try c.failure(.totpConfirm, ["token": token, "code": "000000"]).data["fields"] == ["code": ["Invalid code."]])
        // The confirming code as an app that scanned the QR code computes it: from the URI alone.
        let fromURI = try python("import pyotp, sys; print(pyotp.parse_uri(sys.argv[1]).now())", [uri])
        let confirmed = try c.ok(.totpConfirm, ["token": token, "code": .string(fromURI)])
        let recovery = try #require(Self.strings(confirmed["recovery_codes"]))
        #expect(recovery.count == 10 && Set(recovery).count == 10)
        #expect(recovery.allSatisfy { $0.wholeMatch(of: /[a-z2-7]{5}-[a-z2-7]{5}/) != nil })
        #expect(try c.ok(.usersStatus, ["id": .int(id)])["mfa"] == ["totp"])
        #expect(try c.failure(.totpEnroll, ["token": token, "current_password": "Passw0rd!"]).code == -32009)
        // Confirming ends the user's other sessions; the confirming one stays, now pwd and otp.
        #expect(try !c.isActive(other["access_token"]!.string!))
        #expect(try c.isActive(token.string!))
        let sessions = try c.ok(.sessionsList, ["user_id": .int(id)])["sessions"]!.array!
        #expect(sessions.count == 1)
        #expect(sessions[0]["id"] == login["session_id"] && sessions[0]["amr"] == ["pwd", "otp"])
        // The password alone yields no token; the code (one step late, as a slow phone) does.
        let mfaToken = try Self.passwordStep(c, "twofactor")
        let signedIn = try c.ok(.mfa, ["mfa_token": mfaToken, "code": .string(try Self.codes(secret, [1])[0])])
        let access = try #require(signedIn["access_token"]?.string)
        let verified = try c.ok(.verify, ["token": .string(access)])
        #expect(verified["active"] == true && verified["session"]?["amr"] == ["pwd", "otp"])
        #expect(verified["claims"]?["fresh"] == true)
        #expect(signedIn["refresh_token"]?.string != nil && signedIn["user"]?["id"] == .int(id))
        // A spent mfa_token is refused.
        #expect(try c.failure(.mfa, ["mfa_token": mfaToken, "code": .string(try Self.codes(secret, [1])[0])]).code == -32001)
        #expect(try c.metric(#"authd_auth_events_total{event="mfa_confirmed"}"#) == 1)
        #expect(try c.metric(#"authd_auth_events_total{event="mfa_required"}"#) == 1)
    }

    @Test func codesOneStepEarlyOrLateAreAcceptedAndTwoStepsAreNot() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let user = try await Self.enroll(c, "windowed")
        try await Self.awayFromAStepBoundary()
        // The confirmation took step 0: -1 and 0 are replays now; ±2 are outside the window.
        let codes = try Self.codes(user.secret, [-2, 2, 1])
        for code in codes.prefix(2) {
            let refused = try c.failure(.mfa, ["mfa_token": try Self.passwordStep(c, "windowed"), "code": .string(code)])
            #expect(refused.code == -32001 && refused.message == "Invalid code.")
        }
        #expect(try c.ok(.mfa, ["mfa_token": try Self.passwordStep(c, "windowed"), "code": .string(codes[2])])["access_token"] != nil)
        // On a user whose last step was long ago, one step early works too.
        let early = try await Self.enroll(c, "early")
        _ = try daemon.sql("UPDATE mfa_totp SET last_step = last_step - 5 WHERE user_id = \(early.id)")
        try await Self.awayFromAStepBoundary()
        let login = try c.ok(.mfa, ["mfa_token": try Self.passwordStep(c, "early"), "code": .string(try Self.codes(early.secret, [-1])[0])])
        #expect(login["access_token"] != nil)
    }

    @Test func aCodeIsAcceptedOnceEvenWhenTenConnectionsSendItAtOnce() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let user = try await Self.enroll(c, "replayed")
        try await Self.awayFromAStepBoundary()
        let next = try Self.codes(user.secret, [1])[0]
        #expect(try c.ok(.mfa, ["mfa_token": try Self.passwordStep(c, "replayed"), "code": .string(next)])["access_token"] != nil)
        let again = try c.failure(.mfa, ["mfa_token": try Self.passwordStep(c, "replayed"), "code": .string(next)])
        #expect(again.code == -32001)
        #expect(try c.metric(#"authd_auth_events_total{event="mfa_replay"}"#) == 1)
        // A fresh user, ten logins waiting, one code sent on all of them at once.
        let raced = try await Self.enroll(c, "raced")
        try await Self.awayFromAStepBoundary()
        let code = try Self.codes(raced.secret, [1])[0]
        // Each from a client of its own, so that nine refusals lock no pair.
        let clients = try (0..<10).map { _ in try daemon.client() }
        let tokens = try (0..<10).map { n in try Self.passwordStep(c, "raced", client: Self.client(n)) }
        #expect(try Self.race(code, tokens, clients) == 1)
    }

    /// The end client of the n-th of several logins.
    static func client(_ n: Int) -> String { "198.51.100.\(n + 1)" }

    /// Sends `auth.mfa` with one code and each token (the n-th from `client(n)`) on its own
    /// connection at once; the successes.
    static func race(_ code: String, _ tokens: [JSON], _ clients: [AuthClient]) throws -> Int {
        for (n, (token, client)) in zip(tokens, clients).enumerated() {
            try client.send(RPCRequest(id: 1, method: RPCMethod.mfa.rawValue,
                                       params: ["mfa_token": token, "code": .string(code), "client": .string(Self.client(n))]).json)
        }
        let answers = try clients.map { try $0.receive() }
        #expect(answers.allSatisfy { $0["result"] != nil || $0["error"]?["code"] == -32001 }, "\(answers)")
        return answers.count { $0["result"] != nil }
    }

    @Test func anMfaTokenIsBoundToItsClientAndDiesAfterFiveWrongCodesWhichCountAsFailedLogins() async throws {
        let daemon = try await TestDaemon(["--login-account-limit", "8"])
        let c = try daemon.client()
        let user = try await Self.enroll(c, "guessed")
        try await Self.awayFromAStepBoundary()
        let right = try Self.codes(user.secret, [1])[0]
        // From another client than the password step's, even the right code is wrong.
        let bound = try Self.passwordStep(c, "guessed", client: "198.51.100.7")
        #expect(try c.failure(.mfa, ["mfa_token": bound, "code": .string(right), "client": "203.0.113.9"]).message == "Invalid code.")
        #expect(try c.ok(.mfa, ["mfa_token": bound, "code": .string(right), "client": "198.51.100.7"])["access_token"] != nil)
        // Five wrong codes kill the token: the right one is refused after them.
        let doomed = try Self.passwordStep(c, "guessed")
        let failuresBefore = try #require(c.ok(.usersLockout, ["id": .int(user.id)])["failures"]?.int64)
        for n in 0..<5 {
            let e = try c.failure(.mfa, ["mfa_token": doomed, "code": .string(String(format: "%06d", n))])
            #expect(e.code == -32001)
        }
        let next = try Self.codes(user.secret, [1])[0]
        #expect(try c.failure(.mfa, ["mfa_token": doomed, "code": .string(next)]).message == "Invalid or expired MFA token")
        // The wrong codes count for the account (the password step itself neither counts nor clears).
        #expect(try c.ok(.usersLockout, ["id": .int(user.id)])["failures"]?.int64 == failuresBefore + 5)
        // Password, then wrong codes, again and again: it locks (pair limit 8).
        var locked = false
        for _ in 0..<3 where !locked {
            guard case .success(let answer) = try c.call(.login, ["username": "guessed", "password": "Passw0rd!"]) else { locked = true; break }
            for _ in 0..<4 {
                if case .failure(let e) = try c.call(.mfa, ["mfa_token": answer["mfa_token"]!, "code": "123456"]), e.code == -32029 {
                    locked = true
                }
            }
        }
        if !locked { locked = try c.failure(.login, ["username": "guessed", "password": "Passw0rd!"]).code == -32029 }
        #expect(locked)
        #expect(try c.metric(#"authd_auth_events_total{event="mfa_failed"}"#) ?? 0 >= 6)
    }

    @Test func eachRecoveryCodeWorksOnceAndRegeneratingVoidsTheOldSet() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let user = try await Self.enroll(c, "recovered")
        // Case and hyphens do not matter.
        let first = user.recoveryCodes[0].uppercased().replacingOccurrences(of: "-", with: "")
        let login = try c.ok(.mfa, ["mfa_token": try Self.passwordStep(c, "recovered"), "recovery_code": .string(first)])
        #expect(login["access_token"] != nil)
        #expect(try c.failure(.mfa, ["mfa_token": try Self.passwordStep(c, "recovered"), "recovery_code": .string(user.recoveryCodes[0])])
            .code == -32001)
        #expect(try c.metric(#"authd_auth_events_total{event="recovery_code_used"}"#) == 1)
        #expect(daemon.log.contains("9 recovery codes left"))
        try await Self.awayFromAStepBoundary()
        let regenerated = try c.ok(.recoveryRegenerate, ["token": login["access_token"]!, "code": .string(try Self.codes(user.secret, [1])[0])])
        let fresh = try #require(Self.strings(regenerated["recovery_codes"]))
        #expect(fresh.count == 10 && Set(fresh).isDisjoint(with: user.recoveryCodes))
        #expect(try c.failure(.mfa, ["mfa_token": try Self.passwordStep(c, "recovered"), "recovery_code": .string(user.recoveryCodes[1])])
            .code == -32001)
        #expect(try c.ok(.mfa, ["mfa_token": try Self.passwordStep(c, "recovered"), "recovery_code": .string(fresh[1])])["access_token"] != nil)
    }

    @Test func neitherTheSecretNorTheRecoveryCodesAreStoredInClear() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let user = try await Self.enroll(c, "sealed")
        let raw = try python("import base64, sys; print(base64.b32decode(sys.argv[1]).hex())", [user.secret])
        let stored = try daemon.sql("SELECT sealed_secret FROM mfa_totp WHERE user_id = \(user.id)")
        #expect(stored.count > 2 * 20 && !stored.contains(raw))
        let hashes = try daemon.sql("SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = \(user.id)")
        #expect(hashes == "10")
        if !TestBackend.isPostgres {
            // Every byte of the database and its log, as the password test inspects them.
            var bytes = [UInt8]()
            for path in [daemon.databasePath, daemon.databasePath + "-wal"] {
                if let data = FileManager.default.contents(atPath: path) { bytes += data }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let secretBytes = try #require(Data(hexString: raw))
            #expect(!text.contains(user.secret))
            #expect(!bytes.contains(subsequence: Array(secretBytes)))
            for code in user.recoveryCodes {
                #expect(!text.contains(code) && !text.contains(code.replacingOccurrences(of: "-", with: "")))
            }
        }
    }

    @Test func removingNeedsACodeOrThePasswordAndAnAdministratorCanRemoveItForALostDevice() async throws {
        let daemon = try await TestDaemon(["--socket-group", "nogroup"])
        let c = try daemon.client()
        let user = try await Self.enroll(c, "lostphone")
        let token = user.login["access_token"]!
        #expect(try c.failure(.totpRemove, ["token": token]).code == -32602)
        #expect(try c.failure(.totpRemove, ["token": token, "current_password": "Wr0ng-Pass!"]).code == -32602)
        // An unprivileged peer may not remove anyone's by id, not even with a token.
        for withToken in [false, true] {
            let params: [String: JSON] = withToken ? ["user_id": .int(user.id), "token": token] : ["user_id": .int(user.id)]
            let r = try callAsNobody(daemon.socketPath, .totpRemove, params)
            #expect(r["error"]?["code"] == (withToken ? -32003 : -32001))
        }
        #expect(try c.failure(.totpRemove, ["user_id": 99999]).code == -32004)
        #expect(try c.ok(.totpRemove, ["user_id": .int(user.id)]) == ["removed": true])
        #expect(try c.ok(.usersStatus, ["id": .int(user.id)])["mfa"] == [])
        #expect(try SessionTests.login(c, "lostphone")["access_token"] != nil)
        #expect(try daemon.sql("SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = \(user.id)") == "0")
        // The user's own removal, with the password, then (enrolled again) with a code.
        let again = try await Self.enrollAgain(c, user.id, "lostphone")
        #expect(try c.ok(.totpRemove, ["token": again.token, "current_password": "Passw0rd!"]) == ["removed": true])
        let third = try await Self.enrollAgain(c, user.id, "lostphone")
        try await Self.awayFromAStepBoundary()
        #expect(try c.ok(.totpRemove, ["token": third.token, "code": .string(try Self.codes(third.secret, [1])[0])]) == ["removed": true])
        #expect(try c.metric(#"authd_auth_events_total{event="mfa_removed"}"#) == 3)
    }

    /// Enrolls a user who has no factor now, from a fresh password login.
    static func enrollAgain(_ c: AuthClient, _ id: Int64, _ name: String, password: String = "Passw0rd!") async throws
        -> (token: JSON, secret: String, recoveryCodes: [String]) {
        let token = try c.ok(.login, ["username": .string(name), "password": .string(password)])["access_token"]!
        let secret = try #require(try c.ok(.totpEnroll, ["token": token, "current_password": .string(password)])["secret"]?.string)
        try await awayFromAStepBoundary()
        let confirmed = try c.ok(.totpConfirm, ["token": token, "code": .string(try codes(secret, [0])[0])])
        return (token, secret, strings(confirmed["recovery_codes"]) ?? [])
    }

    @Test func aPasswordChangeOrDisablingVoidsAWaitingMfaToken() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let user = try await Self.enroll(c, "changer")
        try await Self.awayFromAStepBoundary()
        let waiting = try Self.passwordStep(c, "changer")
        _ = try c.ok(.usersUpdate, ["id": .int(user.id), "password": "Brand-N3w-Pass"])
        #expect(try c.failure(.mfa, ["mfa_token": waiting, "code": .string(try Self.codes(user.secret, [1])[0])]).code == -32001)
        let disabledUser = try await Self.enroll(c, "leaver")
        let pending = try Self.passwordStep(c, "leaver")
        _ = try c.ok(.usersDisable, ["id": .int(disabledUser.id)])
        try await Self.awayFromAStepBoundary()
        #expect(try c.failure(.mfa, ["mfa_token": pending, "code": .string(try Self.codes(disabledUser.secret, [1])[0])]).code == -32001)
    }
}
}
