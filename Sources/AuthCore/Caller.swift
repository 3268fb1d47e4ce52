/// Who is asking, as the transport knows it from the socket's peer credentials.
public struct Caller: Sendable {
    /// The peer's uid, for the audit log.
    public var uid: UInt32?
    /// Root or a member of the admin group: may act on any user without a token.
    public var isPrivileged: Bool
    /// A member of the gateway's group (`--metrics-group`). It speaks for web clients,
    /// never for an administrator: a token it passes is the whole authority, even when the
    /// peer is also privileged, so a privileged gateway cannot be made to reach another user.
    public var isGateway: Bool

    public init(uid: UInt32?, isPrivileged: Bool, isGateway: Bool = false) {
        self.uid = uid
        self.isPrivileged = isPrivileged
        self.isGateway = isGateway
    }

    /// Whether the `client` param (the end user's address, for login throttling) is believed.
    public var mayNameClient: Bool { isPrivileged || isGateway }

    /// Who failed logins are counted against besides the account: the address a
    /// trusted gateway names (an IPv6 one by its /64), else the peer's uid; a privileged
    /// peer speaking for itself is exempt from the per-client count, never from its pairs.
    public func throttleClient(client: String?) -> ThrottleClient {
        if mayNameClient, let client, !client.isEmpty {
            return ThrottleClient(name: "addr:" + ClientAddress.throttleName(client), isExempt: false)
        }
        return ThrottleClient(name: "uid:" + (uid.map { String($0) } ?? "unknown"), isExempt: isPrivileged)
    }
}

/// Something that happened to an account, for the audit log. Never carries a secret.
public struct AuthEvent: Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case register, loginSucceeded = "login_ok", loginFailed = "login_failed", logout, update, delete, `import`, lockout, unlock, export
        /// A retired refresh token presented again: its session was ended (contract §7).
        case refreshReuse = "refresh_reuse"
        case sessionRevoke = "session_revoke"
        /// Account administration (contract §8).
        case disable, enable, groups = "groups_changed", resetIssued = "reset_issued", resetUsed = "reset_used"
        /// Second factors (contract §9): a secret issued, confirmed (required from now on),
        /// removed; the password step of a login answered with `mfa_required`; a wrong
        /// code; a code of a step already used; a recovery code spent; a new set of codes.
        case mfaEnrolled = "mfa_enrolled", mfaConfirmed = "mfa_confirmed", mfaRemoved = "mfa_removed"
        case mfaRequired = "mfa_required", mfaFailed = "mfa_failed", mfaReplay = "mfa_replay"
        case recoveryCodeUsed = "recovery_code_used", recoveryCodesRegenerated = "recovery_codes_regenerated"
    }

    /// The name a failed login tried. It is logged only when it fits the username or
    /// email rules: a password typed into the name field must never reach the journal.
    public enum Attempt: Sendable, Equatable {
        case name(String)
        case invalidName

        public init(tried: String) {
            let fits = Validation.username(tried).isEmpty || Validation.email(tried).isEmpty
            self = fits ? .name(tried) : .invalidName
        }
    }

    public var kind: Kind
    public var userID: Int64?
    public var peerUID: UInt32?
    public var detail: String?
    public var attempt: Attempt?
    /// The end client's address, when a trusted gateway named it.
    public var client: String?

    public init(_ kind: Kind, userID: Int64?, peerUID: UInt32?, detail: String? = nil, attempt: Attempt? = nil,
                client: String? = nil) {
        self.kind = kind
        self.userID = userID
        self.peerUID = peerUID
        self.detail = detail
        self.attempt = attempt
        self.client = client
    }
}

/// What a method was given, decoded by the transport into fields the domain checks.
public typealias Token = Field<String>
