import AuthCore
import AuthJSON
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Session {
    /// The contract's Session object (§7).
    public func json(current: Bool) -> JSON {
        var members: [String: JSON] = [
            ResultKey.id.rawValue: .string(id), ResultKey.createdAt.rawValue: .string(RFC3339.format(milliseconds: createdAt)),
            ResultKey.lastUsedAt.rawValue: .string(RFC3339.format(milliseconds: lastUsedAt)),
            ResultKey.expiresAt.rawValue: .string(RFC3339.format(milliseconds: expiresAt)),
            ResultKey.amr.rawValue: .array(amr.map { .string($0) }), ResultKey.current.rawValue: .bool(current),
        ]
        members[ResultKey.client.rawValue] = client.map { .string($0) } ?? .null
        members[ResultKey.label.rawValue] = label.map { .string($0) } ?? .null
        return .object(members)
    }
}

extension LoginResult {
    /// `auth.login`'s and `auth.refresh`'s result.
    public var json: JSON {
        var members: [String: JSON] = [
            ResultKey.accessToken.rawValue: .string(accessToken), ResultKey.expiresIn.rawValue: .int(expiresIn),
            ResultKey.tokenType.rawValue: "Bearer", ResultKey.user.rawValue: user.json,
            ResultKey.refreshToken.rawValue: .string(refreshToken), ResultKey.refreshExpiresIn.rawValue: .int(refreshExpiresIn),
            ResultKey.sessionID.rawValue: .string(sessionID),
        ]
        members[ResultKey.sessionToken.rawValue] = sessionToken.map { .string($0) }
        return .object(members)
    }
}

extension LoginAnswer {
    /// `auth.login`'s result: signed in, or the second factor wanted (contract §9).
    public var json: JSON {
        switch self {
        case .signedIn(let result): result.json
        case .mfaRequired(let token, let expiresIn):
            [ResultKey.mfaRequired.rawValue: true, ResultKey.mfaToken.rawValue: .string(token), ResultKey.expiresIn.rawValue: .int(expiresIn),
             ResultKey.methods.rawValue: ["totp", "recovery_code"]]
        }
    }
}

extension AccessClaims {
    /// The claims `auth.verify` reports for a session token: whose, which session, and its times.
    public var sessionTokenJSON: JSON {
        ["exp": .int(exp), "iat": .int(iat), "sid": .string(sid ?? ""), "sub": .string(sub), "type": .string(type)]
    }
}
