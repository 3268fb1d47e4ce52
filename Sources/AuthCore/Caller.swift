/// Who is asking, as the transport knows it from the socket's peer credentials.
public struct Caller: Sendable {
    /// The peer's uid, for the audit log.
    public var uid: UInt32?
    /// Root or a member of the admin group: may act on any user without a token.
    public var isPrivileged: Bool
    /// A gateway (or a privileged peer) whose `client` param names the end user's
    /// address for login throttling.
    public var mayNameClient: Bool

    public init(uid: UInt32?, isPrivileged: Bool, mayNameClient: Bool? = nil) {
        self.uid = uid
        self.isPrivileged = isPrivileged
        self.mayNameClient = mayNameClient ?? isPrivileged
    }

    /// Who failed logins are counted against besides the account: the address a
    /// trusted gateway names, else the peer's uid; a privileged peer speaking for
    /// itself is never throttled as a client.
    public func throttleKey(client: String?) -> ThrottleKey? {
        if mayNameClient, let client, !client.isEmpty { return ThrottleKey(.client, "addr:\(client.prefix(100))") }
        if isPrivileged { return nil }
        return uid.map { ThrottleKey(.client, "uid:\($0)") }
    }
}

/// Something that happened to an account, for the audit log. Never carries a secret.
public struct AuthEvent: Sendable {
    public enum Kind: String, Sendable {
        case register, loginSucceeded = "login_ok", loginFailed = "login_failed", logout, update, delete, `import`, lockout, unlock
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
