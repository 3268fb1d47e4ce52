import AuthJSON

/// Every method of the contract (../shared/interface.md §5), declared once: the
/// dispatcher switches over it, `rpc.discover` describes it, and clients name
/// methods through it instead of repeating strings.
public enum RPCMethod: String, CaseIterable, Sendable {
    case register = "auth.register"
    case login = "auth.login"
    case logout = "auth.logout"
    case verify = "auth.verify"
    case usersGet = "users.get"
    case usersList = "users.list"
    case usersUpdate = "users.update"
    case usersDelete = "users.delete"
    case usersImport = "users.import"
    case usersLockout = "users.lockout"
    case usersUnlock = "users.unlock"
    case health = "system.health"
    case metrics = "system.metrics"
    case discover = "rpc.discover"

    public var spec: MethodSpec {
        switch self {
        case .register:
            MethodSpec("Creates an account.", [.username(required: true), .email(required: true), .password(required: true)],
                       result: "User", errors: [.invalidParams, .conflict, .unavailable])
        case .login:
            MethodSpec("Checks a password and issues an access token.",
                       [.init("username", .string, "Username (or give email)"), .init("email", .string, "Email (or give username)"),
                        .init("password", .string, "Password", required: true), .init("client", .string, "Address of the end client, from a trusted gateway")],
                       result: "LoginResult", errors: [.invalidParams, .unauthenticated, .tooManyAttempts, .unavailable])
        case .logout:
            MethodSpec("Revokes an access token.", [.token(required: true)],
                       result: "Revoked", errors: [.unauthenticated])
        case .verify:
            MethodSpec("Tells whether a token is active, and whose it is.", [.token(required: true)],
                       result: "Verification", errors: [.invalidParams])
        case .usersGet:
            MethodSpec("Reads one user.", [.id, .token(required: false)],
                       result: "User", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersList:
            MethodSpec("Lists users by id, a page at a time.",
                       [.token(required: false), .init("limit", .integer, "Page size, 1–500 (default 50)"),
                        .init("after_id", .integer, "List users with a greater id (default 0)")],
                       result: "UserPage", errors: [.unauthenticated, .invalidParams])
        case .usersUpdate:
            MethodSpec("Changes a user's username, email or password; a new password revokes their tokens.",
                       [.id, .token(required: false), .username(required: false), .email(required: false), .password(required: false)],
                       result: "User", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams, .conflict])
        case .usersDelete:
            MethodSpec("Deletes a user and with them their tokens.", [.id, .token(required: false)],
                       result: "Deleted", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersImport:
            MethodSpec("Adds a user with an existing crypt(5) hash (privileged peers only).",
                       [.username(required: true), .email(required: true),
                        .init("password_hash", .string, "A crypt(5) hash, e.g. bcrypt $2b$", required: true),
                        .init("created_at", .dateTime, "RFC 3339 time of creation"), .token(required: false)],
                       result: "User", errors: [.unauthenticated, .forbidden, .invalidParams, .conflict])
        case .usersLockout:
            MethodSpec("An account's failed logins and lockout (privileged peers only; an extension of the contract).",
                       [.id, .token(required: false)], result: "Lockout", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersUnlock:
            MethodSpec("Lifts an account's lockout at once (privileged peers only; an extension of the contract).",
                       [.id, .token(required: false)], result: "Unlocked", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .health:
            MethodSpec("Reports that the daemon and its storage answer.", [], result: "Health", errors: [.unavailable])
        case .metrics:
            MethodSpec("Prometheus metrics (privileged peers only).", [], result: "Metrics", errors: [.forbidden])
        case .discover:
            MethodSpec("This interface as an OpenRPC document.", [], result: "OpenRPC", errors: [])
        }
    }
}

/// What a method takes, returns and may fail with.
public struct MethodSpec: Sendable {
    public var summary: String
    public var params: [ParamSpec]
    /// The name of a schema in `Interface.schemas`.
    public var result: String
    public var errors: [RPCErrorCode]

    init(_ summary: String, _ params: [ParamSpec], result: String, errors: [RPCErrorCode]) {
        self.summary = summary
        self.params = params
        self.result = result
        self.errors = errors
    }
}

/// One named parameter.
public struct ParamSpec: Sendable {
    public enum Kind: Sendable {
        case string, integer, dateTime

        var schema: JSON {
            switch self {
            case .string: ["type": "string"]
            case .integer: ["type": "integer"]
            case .dateTime: ["type": "string", "format": "date-time"]
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var summary: String
    public var required: Bool

    init(_ name: String, _ kind: Kind, _ summary: String, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.summary = summary
        self.required = required
    }

    static let id = ParamSpec("id", .integer, "The user's id", required: true)
    static func token(required: Bool) -> ParamSpec {
        ParamSpec("token", .string, required ? "An access token" : "An access token (privileged peers may omit it)", required: required)
    }
    static func username(required: Bool) -> ParamSpec {
        ParamSpec("username", .string, "3–80 of A-Z a-z 0-9 . _ -, starting with a letter or digit, not all digits", required: required)
    }
    static func email(required: Bool) -> ParamSpec {
        ParamSpec("email", .string, "An email address of at most 120 characters", required: required)
    }
    static func password(required: Bool) -> ParamSpec {
        ParamSpec("password", .string, "8–72 bytes with a lowercase and an uppercase letter, a digit and a special character", required: required)
    }
}
