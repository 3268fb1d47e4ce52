/// AES-256-GCM under the MFA key, for TOTP secrets at rest:
/// version byte ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag.
public struct SecretBox: Sendable {
    public static let version: UInt8 = 1
    public static let keyBytes = 32
    static let nonceBytes = 12
    static let tagBytes = 16

    /// Why a box could not be made or opened; equal by code.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        enum Code: Equatable { case keyLength, malformed, unauthentic }
        let code: Code
        public static let keyLength = Failure(code: .keyLength)
        /// Too short, or a version this build does not know.
        public static let malformed = Failure(code: .malformed)
        /// Altered, or sealed under another key or other associated data.
        public static let unauthentic = Failure(code: .unauthentic)

        public var description: String {
            switch code {
            case .keyLength: "the MFA key must be \(SecretBox.keyBytes) bytes"
            case .malformed: "the sealed secret is malformed"
            case .unauthentic: "the sealed secret does not verify under this key"
            }
        }
    }

    private let key: [UInt8]

    public init(key: [UInt8]) throws {
        guard key.count == Self.keyBytes else { throw Failure.keyLength }
        self.key = key
    }

    /// HMAC-SHA256(key, "authd mfa key fingerprint") in hex: what the database keeps to
    /// notice an instance started with another key, without revealing the key.
    public var fingerprint: String {
        Hex.encode(OpenSSL.HMACSHA256(key: key)(Array("authd mfa key fingerprint".utf8)))
    }

    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) -> [UInt8] {
        let nonce = OpenSSL.randomBytes(Self.nonceBytes)
        return [Self.version] + nonce + OpenSSL.aes256GCMSeal(key: key, nonce: nonce, plaintext: plaintext, associatedData: associatedData)
    }

    public func open(_ box: [UInt8], associatedData: [UInt8] = []) throws -> [UInt8] {
        guard box.count >= 1 + Self.nonceBytes + Self.tagBytes, box[0] == Self.version else { throw Failure.malformed }
        let nonce = Array(box[1...Self.nonceBytes])
        let sealed = Array(box[(1 + Self.nonceBytes)...])
        guard let plaintext = OpenSSL.aes256GCMOpen(key: key, nonce: nonce, sealed: sealed, associatedData: associatedData) else {
            throw Failure.unauthentic
        }
        return plaintext
    }
}
