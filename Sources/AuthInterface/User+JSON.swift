import AuthCore
import AuthJSON

extension User {
    /// The contract's User object; never a password or hash.
    public var json: JSON {
        ["id": .int(id), "username": .string(username), "email": .string(email), "created_at": .string(RFC3339.format(createdAt))]
    }
}

extension AccessClaims {
    public var json: JSON {
        let freshJSON: JSON = switch fresh {
        case .flag(let b): .bool(b)
        case .until(let t): .number(String(t))
        }
        return ["sub": .string(sub), "jti": .string(jti), "type": .string(type), "fresh": freshJSON,
                "iat": .int(iat), "nbf": .int(nbf), "exp": .int(exp)]
    }
}
