import AuthCore

/// The second factor's cryptography under one MFA key (contract §9): TOTP secrets sealed
/// with AES-256-GCM, bound to their user's id; recovery codes as keyed hashes.
public struct MFACodec: SecondFactorCodec {
    private let box: SecretBox
    private let recovery: RecoveryCodes

    public init(key: [UInt8]) throws {
        box = try SecretBox(key: key)
        recovery = RecoveryCodes(mfaKey: key)
    }

    public func newSecret() -> [UInt8] { TOTP.generateSecret() }

    /// The associated data: a secret moved to another user's row does not open.
    private static func binding(_ userID: Int64) -> [UInt8] { Array("authd totp secret of user \(userID)".utf8) }

    public func seal(_ secret: [UInt8], userID: Int64) -> String {
        Hex.encode(box.seal(secret, associatedData: Self.binding(userID)))
    }

    public func open(_ sealed: String, userID: Int64) -> [UInt8]? {
        guard let bytes = Hex.decode(sealed) else { return nil }
        return try? box.open(bytes, associatedData: Self.binding(userID))
    }

    public func base32(_ secret: [UInt8]) -> String { Base32.encode(secret) }

    public func provisioningURI(issuer: String, account: String, secret: [UInt8]) -> String {
        TOTP.otpauthURI(issuer: issuer, account: account, secret: secret)
    }

    public func matchingStep(_ code: String, secret: [UInt8], now: Int64, after: Int64?) -> Int64? {
        TOTP.match(code: code, secret: secret, now: now, after: after)
    }

    public func newRecoveryCodes() -> [String] { RecoveryCodes.generate() }

    public func recoveryHash(_ code: String) -> String? { recovery.hash(code) }

    public var keyFingerprint: String { box.fingerprint }

    private static let transfer = Array("authd totp secret in transfer".utf8)

    public func sealForTransfer(_ secret: [UInt8]) -> String { Hex.encode(box.seal(secret, associatedData: Self.transfer)) }

    public func openTransferred(_ sealed: String) -> [UInt8]? {
        guard let bytes = Hex.decode(sealed) else { return nil }
        return try? box.open(bytes, associatedData: Self.transfer)
    }

    public func step(at now: Int64) -> Int64 { TOTP.step(at: now) }
}
