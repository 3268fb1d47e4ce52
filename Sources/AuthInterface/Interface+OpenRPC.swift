import AuthJSON

extension RPCMethod {
    static let sessionRef: JSON = ["$ref": "#/components/schemas/Session"]

    /// The result schemas that method specs refer to by name.
    static let schemas: [String: JSON] = [
        "User": ResultKey.object([.id, .username, .email, .createdAt], required: [.id, .username, .email, .createdAt]),
        // Signed in, or (a user with TOTP, contract §9) mfa_required with an mfa_token and no access token.
        "LoginResult": ResultKey.object([.accessToken, .tokenType, .expiresIn, .user, .refreshToken, .refreshExpiresIn, .sessionID,
                                         .sessionToken, .mfaRequired, .mfaToken, .methods]),
        "TOTPEnrollment": ResultKey.object([.secret, .otpauthURI, .expiresIn], required: [.secret, .otpauthURI, .expiresIn]),
        "RecoveryCodes": ResultKey.object([.recoveryCodes], required: [.recoveryCodes]),
        "Removed": ResultKey.object([.removed]),
        "Revoked": ResultKey.object([.revoked]),
        "LoggedOut": ResultKey.object([.revoked, .sessions]),
        "Session": ResultKey.object([.id, .createdAt, .lastUsedAt, .expiresAt, .client, .label, .amr, .current],
                                    required: [.id, .createdAt, .lastUsedAt, .expiresAt, .client, .label, .amr, .current],
                                    overriding: [.id: ["type": "string"]]),
        "SessionList": ResultKey.object([.sessions], overriding: [.sessions: ["type": "array", "items": sessionRef]]),
        "Deleted": ResultKey.object([.deleted]),
        "Unlocked": ResultKey.object([.unlocked]),
        "Lockout": ResultKey.object([.failures, .lockedUntil]),
        "Verification": ResultKey.object([.active, .user, .claims, .reason, .groups, .session]),
        "Disabled": ResultKey.object([.disabled]),
        "AccountStatus": ResultKey.object([.user, .disabled, .disabledAt, .disabledReason, .groups, .sessions, .lastLoginAt, .mfa, .lockedUntil]),
        "Groups": ResultKey.object([.groups]),
        "ResetToken": ResultKey.object([.resetToken, .expiresIn]),
        "UserPage": ResultKey.object([.users, .nextAfterID]),
        // The single form's User, or with `users` one entry a row: its User (with `skipped`
        // when it was already there), or `{"error"}`.
        "ImportResult": ["anyOf": [ResultKey.userRef, ResultKey.object([.results], required: [.results])]],
        // A User with what import needs to make it again (contract §10); `disabled_at` and
        // `disabled_reason` only while disabled. A TOTP factor joins it here and in
        // users.import's rows.
        "ExportedUser": ResultKey.object([.id, .username, .email, .passwordHash, .createdAt, .groups, .disabledAt, .disabledReason,
                                          .totpSecret, .recoveryCodeHashes],
                                         required: [.id, .username, .email, .passwordHash, .createdAt, .groups]),
        "ExportPage": ["type": "object", "properties": [
            ResultKey.users.rawValue: ["type": "array", "items": ["$ref": "#/components/schemas/ExportedUser"]],
            ResultKey.nextAfterID.rawValue: ResultKey.nextAfterID.schema,
        ]],
        "Health": ResultKey.object([.status, .version, .storage, .uptime]),
        "Metrics": ResultKey.object([.contentType, .text]),
        "OpenRPC": ["type": "object"],
    ]

    /// This interface as an OpenRPC 1.2 document.
    public static func openRPC(version: String) -> JSON {
        let methods: [JSON] = allCases.map { method in
            let spec = method.spec
            return [
                "name": .string(method.rawValue),
                "summary": .string(spec.summary),
                "paramStructure": "by-name",
                "params": .array(spec.params.map { p in
                    ["name": .string(p.name), "summary": .string(p.summary), "required": .bool(p.required), "schema": p.kind.schema]
                }),
                "result": ["name": .string(spec.result), "schema": ["$ref": .string("#/components/schemas/\(spec.result)")]],
                "errors": .array(spec.errors.map { ["code": .int($0.rawValue), "message": .string($0.meaning)] }),
            ]
        }
        return [
            "openrpc": "1.2.6",
            "info": ["title": "authd", "version": .string(version)],
            "methods": .array(methods),
            "components": ["schemas": .object(schemas)],
        ]
    }
}
