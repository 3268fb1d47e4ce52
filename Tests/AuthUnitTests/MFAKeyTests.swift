import AuthSettings
import Foundation
import Testing
@testable import AuthDaemon

extension MFACryptoTests {
    /// Where the MFA key comes from, as for the signing secret, plus its stricter checks.
    @Suite struct KeyLoading {
        let state: String
        let credentials: String
        static let hex = String(repeating: "0123456789abcdef", count: 4)

        init() throws {
            let base = NSTemporaryDirectory() + "mfa-key-\(UUID().uuidString)"
            state = base + "/state"
            credentials = base + "/credentials"
            try FileManager.default.createDirectory(atPath: credentials, withIntermediateDirectories: true)
        }

        private func load(_ env: [String: String] = [:]) throws -> (bytes: [UInt8], source: String) {
            let environment = env.merging(["STATE_DIRECTORY": state, "CREDENTIALS_DIRECTORY": credentials]) { a, _ in a }
            return try MFAKey.load(DaemonConfiguration.resolve(.init(), environment: environment, uid: 1000))
        }

        private func message(_ body: () throws -> Void) -> String? {
            do { try body() } catch { return "\(error)" }
            return nil
        }

        @Test func environmentKeyIs64HexCharacters() throws {
            let key = try load(["AUTHD_MFA_KEY": Self.hex.uppercased()])
            let pattern: [UInt8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF]
            #expect(key.bytes == (0..<32).map { pattern[$0 % 8] })
            #expect(key.source.contains("AUTHD_MFA_KEY"))
            #expect(!FileManager.default.fileExists(atPath: state + "/mfa-key"))
        }

        @Test func environmentKeyOfAnotherLengthOrNotHexIsAClearError() {
            for bad in [String(Self.hex.dropLast()), Self.hex + "0", String(Self.hex.dropLast()) + "g"] {
                let text = message { _ = try load(["AUTHD_MFA_KEY": bad]) }
                #expect(text?.contains("must be exactly 64 hex characters (32 bytes)") == true, "\(bad): \(text ?? "accepted")")
                #expect(text?.contains(bad) == false, "the message repeats the key")
            }
        }

        @Test func credentialComesBeforeTheStateDirectory() throws {
            try (Self.hex + "\n").write(toFile: credentials + "/mfa-key", atomically: true, encoding: .utf8)
            let key = try load()
            #expect(key.bytes.count == 32)
            #expect(key.source == "credential \(credentials)/mfa-key")
            #expect(!FileManager.default.fileExists(atPath: state + "/mfa-key"))
        }

        @Test func generatedKeyIsKeptWithMode0600AndReused() throws {
            let first = try load()
            #expect(first.source == "\(state)/mfa-key (generated)")
            #expect(first.bytes.count == 32)
            let attributes = try FileManager.default.attributesOfItem(atPath: state + "/mfa-key")
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(try String(contentsOfFile: state + "/mfa-key", encoding: .utf8).count == 64)
            let second = try load()
            #expect(second.bytes == first.bytes)
            #expect(second.source == "\(state)/mfa-key")
        }

        @Test func stateFileReadableByOthersIsRefused() throws {
            _ = try load()
            chmod(state + "/mfa-key", 0o644)
            let text = message { _ = try load() }
            #expect(text == "\(state)/mfa-key, the MFA key, has mode 644; it must be readable by its owner only (chmod 600 \(state)/mfa-key)")
        }

        /// The signing secret shares the loader: still 96 hex characters when generated.
        @Test func signingSecretIsStillGeneratedAsBefore() throws {
            let environment = ["STATE_DIRECTORY": state, "CREDENTIALS_DIRECTORY": credentials]
            let secret = try SigningSecret.load(DaemonConfiguration.resolve(.init(), environment: environment, uid: 1000))
            #expect(secret.bytes.count == 96)
            #expect(secret.source == "\(state)/jwt-secret (generated)")
        }
    }
}
