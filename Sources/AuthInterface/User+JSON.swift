import AuthCore
import AuthJSON

extension User {
    /// The contract's User object; never a password or hash.
    public var json: JSON {
        // Keys in order (see JSON.sortedMembers).
        [ResultKey.createdAt.rawValue: .string(RFC3339.format(createdAt)), ResultKey.email.rawValue: .string(email),
         ResultKey.id.rawValue: .int(id), ResultKey.username.rawValue: .string(username)]
    }
}

extension AccessClaims {
    public var json: JSON {
        let freshJSON: JSON = switch fresh {
        case .flag(let b): .bool(b)
        case .until(let t): .number(String(t))
        }
        guard let sid else {
            return ["exp": .int(exp), "fresh": freshJSON, "iat": .int(iat), "jti": .string(jti), "nbf": .int(nbf),
                    "sub": .string(sub), "type": .string(type)]
        }
        return ["exp": .int(exp), "fresh": freshJSON, "iat": .int(iat), "jti": .string(jti), "nbf": .int(nbf),
                "sid": .string(sid), "sub": .string(sub), "type": .string(type)]
    }
}
