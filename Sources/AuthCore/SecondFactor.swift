/// The cryptography of the second factor (contract §9), kept behind a protocol as the
/// token codec is: TOTP per RFC 6238, its secrets sealed under the MFA key, recovery
/// codes as keyed hashes.
public protocol SecondFactorCodec: Sendable {
    /// A new random TOTP secret.
    func newSecret() -> [UInt8]
    /// The secret sealed for storage (AES-256-GCM, bound to the user's id), as text.
    func seal(_ secret: [UInt8], userID: Int64) -> String
    /// The secret of a sealed one, nil when it does not open under this key for this user.
    func open(_ sealed: String, userID: Int64) -> [UInt8]?
    /// The secret as an authenticator app takes it typed in: RFC 4648 base32.
    func base32(_ secret: [UInt8]) -> String
    /// The `otpauth://` provisioning URI.
    func provisioningURI(issuer: String, account: String, secret: [UInt8]) -> String
    /// The step `code` belongs to among one step early, now and one late, counting only
    /// steps after `after`; nil when none matches.
    func matchingStep(_ code: String, secret: [UInt8], now: Int64, after: Int64?) -> Int64?
    /// A new set of recovery codes, as the user is shown them.
    func newRecoveryCodes() -> [String]
    /// The keyed hash a recovery code is stored as; nil for text that is no code at all.
    func recoveryHash(_ code: String) -> String?
    /// What the database keeps to notice an instance that was given another key.
    var keyFingerprint: String { get }
    /// The secret sealed for `users.export`: under the same key, bound to no user (the
    /// importing daemon seals it again for its user), and the reverse.
    func sealForTransfer(_ secret: [UInt8]) -> String
    func openTransferred(_ sealed: String) -> [UInt8]?
    /// The TOTP step `now` falls in.
    func step(at now: Int64) -> Int64
}

/// A confirmed TOTP factor as it moves between databases (contract §10): the secret
/// sealed (bound to its user in the store, for transfer in an export) and the keyed
/// hashes of the unused recovery codes.
public struct MovedFactor: Sendable, Equatable {
    public var sealed: String
    public var recoveryHashes: [String]
    /// The highest step taken as accepted (an import takes its own time's step, so that a
    /// code used just before the export is not good again).
    public var lastStep: Int64?

    public init(sealed: String, recoveryHashes: [String], lastStep: Int64? = nil) {
        self.sealed = sealed
        self.recoveryHashes = recoveryHashes
        self.lastStep = lastStep
    }
}

/// A user's TOTP factor as the store keeps it.
public struct TOTPFactor: Sendable, Equatable {
    /// The secret, sealed.
    public var sealed: String
    /// Whether it was confirmed (then it is required at login); else pending until `pendingUntil`.
    public var confirmed: Bool
    public var pendingUntil: Int64
    /// The highest step accepted (the confirmation's included): codes at or below it are replays.
    public var lastStep: Int64?

    public init(sealed: String, confirmed: Bool, pendingUntil: Int64, lastStep: Int64?) {
        self.sealed = sealed
        self.confirmed = confirmed
        self.pendingUntil = pendingUntil
        self.lastStep = lastStep
    }
}

/// A login waiting for its second factor: what `auth.login` answers a user with TOTP.
public struct MFAChallenge: Sendable {
    /// SHA-256 of the mfa_token.
    public var tokenHash: String
    public var userID: Int64
    /// The client the password step came from: the token is good from it only.
    public var client: String
    public var label: String?
    public var wantsSessionToken: Bool
    public var expiresAt: Int64

    public init(tokenHash: String, userID: Int64, client: String, label: String?, wantsSessionToken: Bool, expiresAt: Int64) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.client = client
        self.label = label
        self.wantsSessionToken = wantsSessionToken
        self.expiresAt = expiresAt
    }
}

/// The second factor an `auth.mfa` (or an MFA change) presents, as the service judged it
/// against what it read: a TOTP step to claim, a recovery code's hash to spend, or
/// nothing that can be right.
public enum FactorProof: Sendable, Equatable {
    case step(Int64)
    case recovery(hash: String)
    case wrong
}

/// What became of an `auth.mfa`.
public enum MFAOutcome: Sendable, Equatable {
    /// The token is unknown, spent, expired or dead from wrong codes (or its user changed).
    case unknownChallenge
    /// A wrong code (a replay or another client's use included); `killed` when it was the last the token allowed.
    case wrongCode(replay: Bool, killed: Bool)
    /// The login is complete: the sessions the cap ended, and the recovery codes left when one was spent.
    case completed(capEnded: [String], recoveryCodesLeft: Int?)
}

/// `auth.login`'s answer: signed in, or the second factor is wanted (contract §9).
public enum LoginAnswer: Sendable {
    case signedIn(LoginResult)
    case mfaRequired(mfaToken: String, expiresIn: Int64)
}

/// `mfa.totp.enroll`'s answer.
public struct TOTPEnrollment: Sendable {
    public var secret: String
    public var uri: String
    public var expiresIn: Int64
}

/// One `auth.mfa` as the store settles it.
public struct MFACompletion: Sendable {
    public var challengeHash: String
    /// The client presenting it: only the challenge's own may complete it.
    public var client: String
    public var proof: FactorProof
    /// Seconds.
    public var now: Int64
    public var maxWrongCodes: Int
    public var keys: [ThrottleKey]
    public var rules: LoginThrottle
    /// The session the login opens.
    public var opening: NewSession

    public init(challengeHash: String, client: String, proof: FactorProof, now: Int64, maxWrongCodes: Int, keys: [ThrottleKey],
                rules: LoginThrottle, opening: NewSession) {
        self.challengeHash = challengeHash
        self.client = client
        self.proof = proof
        self.now = now
        self.maxWrongCodes = maxWrongCodes
        self.keys = keys
        self.rules = rules
        self.opening = opening
    }
}
