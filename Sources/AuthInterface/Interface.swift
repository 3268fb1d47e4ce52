import AuthCore
import AuthJSON

/// Every method of the contract (../shared/interface.md §5), declared once: the
/// dispatcher switches over it, `rpc.discover` describes it, and clients name
/// methods through it instead of repeating strings.
public enum RPCMethod: String, CaseIterable, Sendable {
    case register = "auth.register"
    case login = "auth.login"
    case logout = "auth.logout"
    case verify = "auth.verify"
    case refresh = "auth.refresh"
    case sessionsList = "sessions.list"
    case sessionsRevoke = "sessions.revoke"
    case usersGet = "users.get"
    case usersList = "users.list"
    case usersUpdate = "users.update"
    case usersDelete = "users.delete"
    case usersImport = "users.import"
    case usersExport = "users.export"
    case usersLockout = "users.lockout"
    case usersUnlock = "users.unlock"
    case usersDisable = "users.disable"
    case usersEnable = "users.enable"
    case usersStatus = "users.status"
    case usersSetGroups = "users.set_groups"
    case usersResetToken = "users.reset_token"
    case resetPassword = "auth.reset_password"
    case mfa = "auth.mfa"
    case totpEnroll = "mfa.totp.enroll"
    case totpConfirm = "mfa.totp.confirm"
    case totpRemove = "mfa.totp.remove"
    case recoveryRegenerate = "mfa.recovery.regenerate"
    case health = "system.health"
    case metrics = "system.metrics"
    case discover = "rpc.discover"

    /// The method's declaration, made once per process: `Params` reads through it on every call.
    public var spec: MethodSpec { Self.specs[self]! }

    private static let specs = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.declaration) })

    private var declaration: MethodSpec {
        switch self {
        case .register:
            MethodSpec("Creates an account.", [.required(.username), .required(.email), .required(.password)],
                       result: "User", errors: [.invalidParams, .conflict, .unavailable])
        case .login:
            MethodSpec("Checks a password and issues an access token.",
                       [.username.summarized("Username (or give email)"), .email.summarized("Email (or give username)"),
                        .required(.password.summarized("Password")), .client, .label, .sessionToken],
                       result: "LoginResult", errors: [.invalidParams, .unauthenticated, .tooManyAttempts, .unavailable])
        case .logout:
            MethodSpec("Ends this token's session (or the token alone), the user's other sessions, or all of them.",
                       [.required(.token), .scope], result: "LoggedOut", errors: [.unauthenticated, .invalidParams])
        case .refresh:
            MethodSpec("Rotates a refresh token: a new access token and refresh token of the same session.",
                       [.required(.refreshToken), .client, .label],
                       result: "LoginResult", errors: [.invalidParams, .unauthenticated, .tooManyAttempts, .unavailable])
        case .sessionsList:
            MethodSpec("The user's active sessions, most recently used first.",
                       [.callerToken, .userID], result: "SessionList", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .sessionsRevoke:
            MethodSpec("Ends one active session of the user (privileged peers: of anyone).",
                       [.callerToken, .required(.sessionID)], result: "Revoked", errors: [.unauthenticated, .notFound, .invalidParams])
        case .verify:
            MethodSpec("Tells whether a token (an access token or a session token) is active, and whose it is.",
                       [.required(.token.summarized("An access token or a session token"))],
                       result: "Verification", errors: [.invalidParams])
        case .usersGet:
            MethodSpec("Reads one user.",
                       [.id.summarized("The user's id (privileged peers may give username or email instead)"), .callerToken,
                        .username.summarized("Privileged peers: the user's username, instead of id"),
                        .email.summarized("Privileged peers: the user's email, instead of id")],
                       result: "User", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersList:
            MethodSpec("Lists users by id, a page at a time.", [.callerToken, .limit, .afterID],
                       result: "UserPage", errors: [.unauthenticated, .invalidParams])
        case .usersUpdate:
            MethodSpec("Changes a user's username, email or password; a new password revokes their tokens.",
                       [.required(.id), .callerToken, .username, .email, .password, .currentPassword, .client],
                       result: "User", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams, .conflict, .tooManyAttempts])
        case .usersDelete:
            MethodSpec("Deletes a user and with them their tokens.", [.required(.id), .callerToken, .currentPassword, .client],
                       result: "Deleted", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams, .tooManyAttempts])
        case .usersImport:
            MethodSpec("Adds a user with an existing crypt(5) hash, or up to \(ImportFields.batchLimit) in one transaction "
                       + "with `users` (privileged peers only).",
                       [.username.summarized("Required unless `users` is given: " + ParamSpec.username.summary),
                        .email.summarized("Required unless `users` is given: " + ParamSpec.email.summary),
                        .passwordHash.summarized("Required unless `users` is given: " + ParamSpec.passwordHash.summary),
                        .createdAt, .id.summarized("The id to keep (default: the next)"),
                        .groups.summarized("The user's groups (default: none); " + ParamSpec.groups.summary),
                        .disabledAt, .disabledReason, .totpSecret, .recoveryCodeHashes, .users, .skipExisting, .dryRun, .callerToken],
                       result: "ImportResult", errors: [.unauthenticated, .forbidden, .invalidParams, .conflict])
        case .usersExport:
            MethodSpec("Users with their hashes, by id a page at a time, as `users.import` takes them back "
                       + "(privileged peers only; an extension of the contract).",
                       [.callerToken, .exportLimit, .afterID], result: "ExportPage", errors: [.unauthenticated, .forbidden, .invalidParams])
        case .usersLockout:
            MethodSpec("An account's failed logins from all clients, and its lock: the account-wide one, else the latest of its "
                       + "(account, client) pairs (privileged peers only; an extension of the contract).",
                       [.required(.id), .callerToken], result: "Lockout", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersUnlock:
            MethodSpec("Lifts an account's locks at once, account-wide and of every pair "
                       + "(privileged peers only; an extension of the contract).",
                       [.required(.id), .callerToken], result: "Unlocked", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersDisable:
            MethodSpec("Disables a user: every session and token of theirs ends at once (privileged peers only).",
                       [.required(.id), .callerToken, .reason], result: "Disabled",
                       errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersEnable:
            MethodSpec("Enables a disabled user again; nothing of before revives (privileged peers only).",
                       [.required(.id), .callerToken], result: "Disabled", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersStatus:
            MethodSpec("An account as an administrator sees it (privileged peers only).",
                       [.required(.id), .callerToken], result: "AccountStatus", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersSetGroups:
            MethodSpec("Replaces a user's groups (privileged peers only).",
                       [.required(.id), .callerToken, .required(.groups)], result: "Groups",
                       errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .usersResetToken:
            MethodSpec("Issues a single-use password reset token; only the newest is valid (privileged peers only).",
                       [.required(.id), .callerToken, .ttl], result: "ResetToken",
                       errors: [.unauthenticated, .forbidden, .notFound, .invalidParams])
        case .resetPassword:
            MethodSpec("Sets a password with a reset token; every session and token of the user ends.",
                       [.required(.resetToken), .required(.password), .client], result: "User",
                       errors: [.invalidParams, .tooManyAttempts, .unavailable])
        case .mfa:
            MethodSpec("Completes a login that answered mfa_required, with a TOTP code or a recovery code.",
                       [.required(.mfaToken), .code, .recoveryCode, .client, .label],
                       result: "LoginResult", errors: [.invalidParams, .unauthenticated, .tooManyAttempts, .unavailable])
        case .totpEnroll:
            MethodSpec("Starts TOTP enrollment: a new secret, pending until confirmed with a code.",
                       [.required(.token), .required(.currentPassword), .client], result: "TOTPEnrollment",
                       errors: [.unauthenticated, .invalidParams, .conflict, .tooManyAttempts])
        case .totpConfirm:
            MethodSpec("Confirms the pending TOTP secret with a code: TOTP is required from now on, the user's other sessions "
                       + "end, and the recovery codes are returned once.",
                       [.required(.token), .required(.code), .client], result: "RecoveryCodes",
                       errors: [.unauthenticated, .invalidParams, .tooManyAttempts])
        case .totpRemove:
            MethodSpec("Removes the user's TOTP and recovery codes, with a code or the password (privileged peers: "
                       + "anyone's with user_id alone).",
                       [.callerToken, .code, .currentPassword, .userID.summarized("Privileged peers: the user whose factor to remove"), .client],
                       result: "Removed", errors: [.unauthenticated, .forbidden, .notFound, .invalidParams, .tooManyAttempts])
        case .recoveryRegenerate:
            MethodSpec("A new set of recovery codes for a TOTP code; the old set is void.",
                       [.required(.token), .required(.code), .client], result: "RecoveryCodes",
                       errors: [.unauthenticated, .invalidParams, .tooManyAttempts])
        case .health:
            MethodSpec("Reports that the daemon and its storage answer.", [], result: "Health", errors: [.unavailable])
        case .metrics:
            MethodSpec("Prometheus metrics (privileged peers only).", [], result: "Metrics", errors: [.forbidden])
        case .discover:
            MethodSpec("This interface as an OpenRPC document.", [], result: "OpenRPC", errors: [])
        }
    }

    /// Params for a call to this method, by their declarations (clients: authctl, the bench).
    public func params(_ values: KeyValuePairs<ParamSpec, JSON>) -> [String: JSON] {
        var out: [String: JSON] = [:]
        for (param, value) in values {
            precondition(spec.param(named: param.name) != nil, "\(rawValue) declares no param \(param.name)")
            out[param.name] = value
        }
        return out
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

    public func param(named name: String) -> ParamSpec? {
        params.first { $0.name == name }
    }

    /// Whether the method acts for the holder of a token it is given (the `users.*`
    /// methods), rather than taking a token as what it is about (`auth.verify`).
    public var actsForToken: Bool { params.contains(.callerToken) }
}

/// One named parameter. Every param name of the interface is declared here, once.
public struct ParamSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case string, integer, dateTime, boolean
        /// An array of strings.
        case strings
        /// A string that must be one of these.
        case enumeration([String])
        /// An array of at most `maximum` objects, each holding the method's own params.
        case objects(maximum: Int)
        /// A whole number from `minimum` (up to `maximum`), `default` when absent.
        case count(minimum: Int64, maximum: Int64?, default: Int64)

        public var schema: JSON {
            switch self {
            case .string: return ["type": "string"]
            case .boolean: return ["type": "boolean"]
            case .strings: return ["type": "array", "items": ["type": "string"]]
            case .enumeration(let values): return ["type": "string", "enum": .array(values.map { .string($0) })]
            // Ids and positions are 64-bit: larger numbers are refused, so the schema says so.
            case .integer: return ["type": "integer", "minimum": .int(0), "maximum": .int(Int64.max)]
            case .dateTime: return ["type": "string", "format": "date-time"]
            case .boolean: return ["type": "boolean"]
            case .objects(let maximum): return ["type": "array", "items": ["type": "object"], "maxItems": .int(Int64(maximum))]
            case .count(let minimum, let maximum, let value):
                var schema: [String: JSON] = ["type": "integer", "minimum": .int(minimum), "default": .int(value)]
                schema["maximum"] = .int(maximum ?? Int64.max)
                return .object(schema)
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

    /// The same param, required by the method that declares it so.
    static func required(_ param: ParamSpec) -> ParamSpec {
        var p = param
        p.required = true
        return p
    }

    /// The same param, described as one method uses it.
    func summarized(_ summary: String) -> ParamSpec {
        var p = self
        p.summary = summary
        return p
    }

    public static let id = ParamSpec("id", .integer, "The user's id")
    /// The token a method is about (`auth.logout`, `auth.verify`).
    public static let token = ParamSpec("token", .string, "An access token")
    /// The token of the caller a `users.*` method acts for.
    public static let callerToken = token.summarized("An access token (privileged peers may omit it)")
    public static let username = ParamSpec("username", .string, "3–80 of A-Z a-z 0-9 . _ -, starting with a letter or digit, not all digits")
    public static let email = ParamSpec("email", .string, "An email address of at most 120 characters")
    public static let password = ParamSpec("password", .string, "8–72 bytes with a lowercase and an uppercase letter, a digit and a special character")
    public static let passwordHash = ParamSpec("password_hash", .string, "A crypt(5) hash, e.g. bcrypt $2b$")
    public static let createdAt = ParamSpec("created_at", .dateTime, "RFC 3339 time of creation")
    public static let client = ParamSpec("client", .string, "Address of the end client, from a trusted gateway")
    public static let label = ParamSpec("label", .string, "What the client is, e.g. its user agent (at most \(Validation.labelLength) characters)")
    public static let sessionToken = ParamSpec("session_token", .boolean, "Also issue a session token (for browser portals)")
    public static let scope = ParamSpec("scope", .enumeration(LogoutScope.allCases.map(\.rawValue)),
                                        "local (default: this session), others (every other session) or global (all)")
    public static let refreshToken = ParamSpec("refresh_token", .string, "A refresh token")
    public static let userID = ParamSpec("user_id", .integer, "Privileged peers: the user whose sessions, instead of the token's")
    public static let sessionID = ParamSpec("session_id", .string, "A session's id")
    public static let limit = ParamSpec(
        "limit", .count(minimum: UserPage.sizes.lowerBound, maximum: UserPage.sizes.upperBound, default: UserPage.defaultSize),
        "Page size, \(UserPage.sizes.lowerBound)–\(UserPage.sizes.upperBound) (default \(UserPage.defaultSize))")
    public static let currentPassword = ParamSpec("current_password", .string,
                                                  "The user's password, when they change their own password, email or delete themself")
    public static let reason = ParamSpec("reason", .string, "Why, for the audit log and users.status (at most 200 characters)")
    public static let groups = ParamSpec("groups", .strings, "Group names, each [a-z][a-z0-9_-]{0,31}, at most 32")
    public static let disabledAt = ParamSpec("disabled_at", .dateTime, "When the user was disabled (absent or null: enabled)")
    public static let disabledReason = ParamSpec("disabled_reason", .string, "Why the user was disabled (only with disabled_at)")
    public static let ttl = ParamSpec(
        "ttl", .count(minimum: AuthService.resetTTLs.lowerBound, maximum: AuthService.resetTTLs.upperBound, default: AuthService.defaultResetTTL),
        "Seconds the reset token is valid, \(AuthService.resetTTLs.lowerBound)–\(AuthService.resetTTLs.upperBound) (default \(AuthService.defaultResetTTL))")
    public static let totpSecret = ParamSpec("totp_secret", .string,
                                             "The user's confirmed TOTP secret as users.export writes it (sealed under the MFA key; needs id)")
    public static let recoveryCodeHashes = ParamSpec("recovery_code_hashes", .strings,
                                                     "The keyed hashes of the user's unused recovery codes, as users.export writes them")
    public static let code = ParamSpec("code", .string, "A 6-digit TOTP code from the authenticator app")
    public static let recoveryCode = ParamSpec("recovery_code", .string, "A recovery code (xxxxx-xxxxx; case and hyphens do not matter)")
    public static let mfaToken = ParamSpec("mfa_token", .string, "The mfa_token of auth.login's mfa_required answer")
    public static let resetToken = ParamSpec("reset_token", .string, "A password reset token from users.reset_token")
    public static let users = ParamSpec(
        "users", .objects(maximum: ImportFields.batchLimit),
        "Up to \(ImportFields.batchLimit) users, each with the single form's params; answered row by row, in order")
    public static let skipExisting = ParamSpec(
        "skip_existing", .boolean, "Skip, rather than refuse, a user already there with the same username, email and hash")
    public static let dryRun = ParamSpec("dry_run", .boolean, "Answer as the import would, and import nothing")
    public static let exportLimit = ParamSpec(
        "limit", .count(minimum: 1, maximum: Int64(ExportPage.maximumSize), default: Int64(ExportPage.maximumSize)),
        "Page size, 1–\(ExportPage.maximumSize) (default \(ExportPage.maximumSize))")
    public static let afterID = ParamSpec("after_id", .count(minimum: 0, maximum: nil, default: 0), "List users with a greater id (default 0)")
}
