import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension LiveTests {
    /// Two-factor sign-in over HTTP (contract §9 and §11), with pyotp as the authenticator.
    @Suite struct MFA {
        /// pyotp's code of `secret` one step after now (the confirmation took the current one).
        static func code(_ secret: String, offset: Int) async throws -> String {
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let code = "import pyotp, sys, time; print(pyotp.TOTP(sys.argv[1]).at(time.time() + 30 * int(sys.argv[2])))"
            // python3 from PATH: the Makefile puts .build-venv/bin, with pyotp, first.
            let python = try SpawnedProcess("/usr/bin/env", ["python3", "-c", code, secret, String(offset)], log: "\(dir)/out.txt")
            let status = await python.exitStatus()
            let output = ((try? String(contentsOfFile: "\(dir)/out.txt", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard status == 0, output.count == 6 else { throw TestSetupError(description: "pyotp failed (exit \(status)): \(output)") }
            return output
        }

        /// Not in the last seconds of a step, so that a code is still of its step when checked.
        static func awayFromAStepBoundary() async throws {
            let into = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 30)
            if into > 22 { try await Task.sleep(for: .milliseconds(Int((30.3 - into) * 1000))) }
        }

        @Test func enrollConfirmThenLoginAnswersMfaRequiredAndTheCodeSignsIn() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice")
            let token = try s.login("alice")
            let wrong = try s.http.json("POST", "/api/auth/mfa/totp", ["current_password": "Wr0ng-Pass!"], headers: s.bearer(token))
            #expect(isErrorShape(wrong, 400) && wrong.json["error"]?["messages"]?["current_password"] != nil)
            #expect(isErrorShape(try s.http.json("POST", "/api/auth/mfa/totp", ["current_password": "Passw0rd!"]), 401))
            let enrolled = try s.http.json("POST", "/api/auth/mfa/totp", ["current_password": "Passw0rd!"], headers: s.bearer(token))
            #expect(enrolled.status == 200, "\(enrolled)")
            let secret = try #require(enrolled.json["secret"]?.string)
            #expect(enrolled.json["otpauth_uri"]?.string?.hasPrefix("otpauth://totp/authd:alice?secret=\(secret)&") == true)
            try await Self.awayFromAStepBoundary()
            let confirmed = try s.http.json("POST", "/api/auth/mfa/totp/confirm", ["code": .string(try await Self.code(secret, offset: 0))],
                                            headers: s.bearer(token))
            #expect(confirmed.status == 200, "\(confirmed)")
            #expect(confirmed.json["recovery_codes"]?.array?.count == 10)
            // The Flask route answers 200 with the mfa_required body and no token.
            let login = try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"])
            #expect(login.status == 200)
            #expect(login.json["mfa_required"] == true && login.json["access_token"] == nil)
            let mfaToken = try #require(login.json["mfa_token"])
            #expect(isErrorShape(try s.http.json("POST", "/api/auth/mfa", ["mfa_token": mfaToken, "code": "000000"]), 401))
            let signedIn = try s.http.json("POST", "/api/auth/mfa", ["mfa_token": mfaToken, "code": .string(try await Self.code(secret, offset: 1))])
            #expect(signedIn.status == 200, "\(signedIn)")
            #expect(signedIn.json["user"]?["id"]?.int64 == id && signedIn.json["refresh_token"]?.string != nil)
            let fresh = try #require(signedIn.json["access_token"]?.string)
            // The gateway named the end client and its user agent for the session.
            let sessions = try s.http.request("GET", "/api/auth/sessions", headers: s.bearer(fresh))
            let mine = sessions.json.array?.first { $0["current"] == true }
            #expect(mine?["amr"] == ["pwd", "otp"] && mine?["client"] == "127.0.0.1")
            // New recovery codes need a code of a later step; removal takes the password.
            let codes = try s.http.json("POST", "/api/auth/mfa/recovery-codes", ["code": "123456"], headers: s.bearer(fresh))
            #expect(isErrorShape(codes, 400))
            let removed = try s.http.json("DELETE", "/api/auth/mfa/totp", ["current_password": "Passw0rd!"], headers: s.bearer(fresh))
            #expect(removed.status == 200 && removed.json["removed"] == true, "\(removed)")
            #expect(try s.login("alice").isEmpty == false)
        }
    }
}
