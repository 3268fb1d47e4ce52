import AuthJSON

/// Every member name of the interface's result objects, each with its schema: results
/// are built from these keys, and `rpc.discover`'s schemas list them, so the two cannot
/// differ. (Raw values, not strings held in statics: a result is still built from
/// literals, with no look-up, on the inline `auth.verify` path.)
public enum ResultKey: String, Sendable {
    // User
    case id, username, email, createdAt = "created_at"
    // LoginResult
    case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in", user
    case refreshToken = "refresh_token", refreshExpiresIn = "refresh_expires_in", sessionID = "session_id", sessionToken = "session_token"
    // LoggedOut, SessionList, Session
    case sessions, lastUsedAt = "last_used_at", expiresAt = "expires_at", client, label, amr, current, session
    // Revoked, Deleted, Unlocked, Lockout
    case revoked, deleted, unlocked, failures, lockedUntil = "locked_until"
    // Verification
    case active, claims, reason
    // UserPage
    case users, nextAfterID = "next_after_id"
    // ImportResult
    case results, skipped, error
    // ExportedUser
    case passwordHash = "password_hash"
    // Health, Metrics
    case status, version, storage, uptime = "uptime_s", contentType = "content_type", text
    // Disabled, AccountStatus, Groups, ResetToken (contract §8)
    case disabled, disabledAt = "disabled_at", disabledReason = "disabled_reason", groups, lastLoginAt = "last_login_at", mfa
    case resetToken = "reset_token"
    // LoginResult's mfa_required answer, TOTPEnrollment, RecoveryCodes, Removed (contract §9)
    case mfaRequired = "mfa_required", mfaToken = "mfa_token", methods, secret, otpauthURI = "otpauth_uri"
    case recoveryCodes = "recovery_codes", removed
    // ExportedUser's factor (contract §10)
    case totpSecret = "totp_secret", recoveryCodeHashes = "recovery_code_hashes"

    static let userRef: JSON = ["$ref": "#/components/schemas/User"]

    var schema: JSON {
        switch self {
        case .failures, .expiresIn, .uptime, .refreshExpiresIn, .sessions: ["type": "integer"]
        case .id: ["type": "integer"]
        case .username, .email, .passwordHash, .accessToken, .version, .storage, .contentType, .text, .refreshToken, .sessionID, .sessionToken:
            ["type": "string"]
        case .createdAt, .lastUsedAt, .expiresAt: ["type": "string", "format": "date-time"]
        case .client, .label: ["type": ["string", "null"]]
        case .amr: ["type": "array", "items": ["enum": ["pwd", "otp"]]]
        case .current: ["type": "boolean"]
        case .session: ["type": "object"]
        case .tokenType: ["const": "Bearer"]
        case .user: Self.userRef
        case .revoked, .deleted, .unlocked: ["const": true]
        case .lockedUntil: ["type": ["string", "null"], "format": "date-time"]
        case .active: ["type": "boolean"]
        case .claims: ["type": "object"]
        case .reason: ["enum": ["expired", "revoked", "invalid", "no_user"]]
        case .users: ["type": "array", "items": Self.userRef]
        case .nextAfterID: ["type": ["integer", "null"]]
        case .results: ["type": "array", "items": ["anyOf": [Self.userRef, Self.object([.error], required: [.error])]]]
        case .skipped: ["const": true]
        case .error: ["type": "object"]
        case .status: ["const": "ok"]
        case .disabled: ["type": "boolean"]
        case .disabledAt, .lastLoginAt: ["type": ["string", "null"], "format": "date-time"]
        case .disabledReason: ["type": ["string", "null"]]
        case .groups: ["type": "array", "items": ["type": "string"]]
        case .mfa: ["type": "array", "items": ["enum": ["totp"]]]
        case .resetToken, .mfaToken, .secret, .otpauthURI: ["type": "string"]
        case .mfaRequired, .removed: ["const": true]
        case .methods: ["type": "array", "items": ["enum": ["totp", "recovery_code"]]]
        case .recoveryCodes, .recoveryCodeHashes: ["type": "array", "items": ["type": "string"]]
        case .totpSecret: ["type": "string"]
        }
    }

    /// An object schema of these members; `overriding` gives a member that means
    /// something else in this object (a session's `id` is opaque text, not a user's number).
    static func object(_ keys: [ResultKey], required: [ResultKey] = [], overriding: [ResultKey: JSON] = [:]) -> JSON {
        var schema: [String: JSON] = [
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: keys.map { ($0.rawValue, overriding[$0] ?? $0.schema) })),
        ]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0.rawValue) }) }
        return .object(schema)
    }
}
