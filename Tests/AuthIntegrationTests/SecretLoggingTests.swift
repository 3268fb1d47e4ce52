import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Nothing authd writes, at its most verbose, holds a secret: not the signing secret
/// (given in JWT_SECRET_KEY, the case that once reached the log), not a password, token
/// or hash. Every method is called, through a switch the compiler keeps complete.
extension IntegrationTests {
@Suite struct SecretLoggingTests {
    @Test func traceLevelOutputOfEveryMethodHoldsNoSecretPasswordTokenOrHash() async throws {
        let daemon = try await TestDaemon(["--log-level", "trace"])
        let client = try daemon.client()
        let passwords = ["Alice#Pass1", "Wrong#Pass1", "Alice#Pass2", "Bob#Pass123"]
        let alice = try client.register("alice", password: passwords[0])
        var tokens: [String] = []
        var hashes: [String] = []
        for method in RPCMethod.allCases {
            switch method {
            case .register: _ = try client.ok(method, ["username": "bob", "email": "bob@example.com", "password": .string(passwords[3])])
            case .login:
                _ = try client.failure(method, ["username": "alice", "password": .string(passwords[1])])
                tokens.append(try client.login("alice", password: passwords[0]))
            case .logout: _ = try client.ok(method, ["token": .string(try client.login("alice", password: passwords[0]))])
            case .verify: _ = try client.ok(method, ["token": .string(tokens[0])])
            case .refresh:
                let login = try client.ok(.login, ["username": "alice", "password": .string(passwords[0]), "session_token": true])
                let refreshed = try client.ok(method, ["refresh_token": login["refresh_token"]!])
                tokens += [login["refresh_token"]!.string!, login["session_token"]!.string!, refreshed["refresh_token"]!.string!,
                           refreshed["access_token"]!.string!]
                _ = try client.ok(.verify, ["token": login["session_token"]!])
            case .sessionsList: _ = try client.ok(method, ["token": .string(tokens[0])])
            case .sessionsRevoke:
                let login = try client.ok(.login, ["username": "alice", "password": .string(passwords[0])])
                _ = try client.ok(method, ["token": .string(tokens[0]), "session_id": login["session_id"]!])
            case .usersGet: _ = try client.ok(method, ["id": .int(alice), "token": .string(tokens[0])])
            case .usersList: _ = try client.ok(method, ["limit": .int(10)])
            case .usersUpdate: _ = try client.ok(method, ["id": .int(alice), "password": .string(passwords[2])])
            case .usersDelete:
                let carol = try client.register("carol", password: passwords[3])
                _ = try client.ok(method, ["id": .int(carol)])
            case .usersImport:
                hashes.append(try daemon.sql("SELECT password_hash FROM users WHERE id = \(alice)"))
                _ = try client.ok(method, ["username": "dave", "email": "dave@example.com", "password_hash": .string(hashes[0])])
            // Its answer holds every hash: none may reach the log.
            case .usersExport: _ = try client.ok(method, ["limit": .int(10)])
            case .usersLockout: _ = try client.ok(method, ["id": .int(alice)])
            case .usersUnlock: _ = try client.ok(method, ["id": .int(alice)])
            case .usersDisable, .usersEnable:
                let erin = try client.register("erin\(method == .usersDisable ? 1 : 2)", password: passwords[3])
                _ = try client.ok(method, ["id": .int(erin), "reason": "left"])
            case .usersStatus: _ = try client.ok(method, ["id": .int(alice)])
            case .usersSetGroups: _ = try client.ok(method, ["id": .int(alice), "groups": ["admins"]])
            case .usersResetToken, .resetPassword:
                let frank = try client.register("frank\(method == .resetPassword ? 1 : 2)", password: passwords[3])
                let reset = try client.ok(.usersResetToken, ["id": .int(frank)])["reset_token"]!
                tokens.append(reset.string!)
                if method == .resetPassword { _ = try client.ok(method, ["reset_token": reset, "password": .string(passwords[1])]) }
            // The whole second-factor flow at once: its secret, codes and mfa_token stay out too.
            case .mfa:
                let user = try await MFATests.enroll(client, "gina", password: passwords[3])
                try await MFATests.awayFromAStepBoundary()
                let mfaToken = try MFATests.passwordStep(client, "gina", password: passwords[3])
                let signedIn = try client.ok(method, ["mfa_token": mfaToken, "recovery_code": .string(user.recoveryCodes[0])])
                _ = try client.ok(.recoveryRegenerate, ["token": signedIn["access_token"]!, "code": .string(try MFATests.codes(user.secret, [1])[0])])
                _ = try client.ok(.totpRemove, ["token": signedIn["access_token"]!, "current_password": .string(passwords[3])])
                tokens += [user.secret, mfaToken.string!, testMFAKey] + user.recoveryCodes
            case .totpEnroll, .totpConfirm, .totpRemove, .recoveryRegenerate: break
            case .health, .metrics, .discover: _ = try client.ok(method)
            }
        }
        tokens.append(try client.login("alice", password: passwords[2]))
        hashes.append(try daemon.sql("SELECT password_hash FROM users WHERE username = 'bob'"))
        // Stopping logs the configuration's description again: searched too.
        #expect(daemon.stop() == 0)

        let log = daemon.log
        #expect(log.contains("method=users.import"), "the log is not at trace level:\n\(log)")
        for secret in [testSecret] + passwords + tokens + hashes {
            #expect(!secret.isEmpty)
            #expect(!log.contains(secret), "the log holds '\(secret)'")
        }
        // Not even the secret's signature-sized pieces.
        #expect(!log.contains(String(testSecret.prefix(16))))
    }
}
}
