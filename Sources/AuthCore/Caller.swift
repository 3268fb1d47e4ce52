/// Who is asking, as the transport knows it from the socket's peer credentials.
public struct Caller: Sendable {
    /// The peer's uid, for the audit log.
    public var uid: UInt32?
    /// Root or a member of the admin group: may act on any user without a token.
    public var isPrivileged: Bool

    public init(uid: UInt32?, isPrivileged: Bool) {
        self.uid = uid
        self.isPrivileged = isPrivileged
    }
}

/// Something that happened to an account, for the audit log. Never carries a secret.
public struct AuthEvent: Sendable {
    public enum Kind: String, Sendable {
        case register, loginSucceeded = "login_ok", loginFailed = "login_failed", logout, update, delete, `import`
    }
    public var kind: Kind
    public var userID: Int64?
    public var peerUID: UInt32?
    public var detail: String?

    public init(_ kind: Kind, userID: Int64?, peerUID: UInt32?, detail: String? = nil) {
        self.kind = kind
        self.userID = userID
        self.peerUID = peerUID
        self.detail = detail
    }
}

/// What a method was given, decoded by the transport into fields the domain checks.
public typealias Token = Field<String>
