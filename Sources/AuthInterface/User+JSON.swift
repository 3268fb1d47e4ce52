import AuthCore
import AuthJSON

extension User {
    /// The contract's User object; never a password or hash.
    public var json: JSON {
        // Keys in order (see JSON.sortedMembers).
        ["created_at": .string(RFC3339.format(createdAt)), "email": .string(email), "id": .int(id), "username": .string(username)]
    }
}

extension AccessClaims {
    public var json: JSON {
        let freshJSON: JSON = switch fresh {
        case .flag(let b): .bool(b)
        case .until(let t): .number(String(t))
        }
        return ["exp": .int(exp), "fresh": freshJSON, "iat": .int(iat), "jti": .string(jti), "nbf": .int(nbf),
                "sub": .string(sub), "type": .string(type)]
    }
}
