import AuthCore
import AuthJSON

/// HS256 JSON Web Tokens with flask-jwt-extended's access-token claims.
public struct HS256Codec: TokenCodec {
    private let key: [UInt8]
    /// `{"alg":"HS256","typ":"JWT"}`, as PyJWT writes it.
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// The secret must be at least 32 bytes: HS256 with a shorter key is guessable.
    public init(secret: [UInt8]) throws {
        guard secret.count >= 32 else {
            throw AuthError(.internal, "the JWT secret must be at least 32 bytes, got \(secret.count)")
        }
        self.key = secret
    }

    public func encode(_ claims: AccessClaims) -> String {
        let fresh: JSON = switch claims.fresh {
        case .flag(let b): .bool(b)
        case .until(let t): .number(String(t))
        }
        let payload: JSON = [
            "fresh": fresh, "iat": .int(claims.iat), "jti": .string(claims.jti), "type": .string(claims.type),
            "sub": .string(claims.sub), "nbf": .int(claims.nbf), "exp": .int(claims.exp),
        ]
        let signingInput = Self.header + "." + Base64URL.encode(payload.serialized())
        return signingInput + "." + Base64URL.encode(OpenSSL.hmacSHA256(key: key, data: Array(signingInput.utf8)))
    }

    public func decode(_ token: String, now: Int64) -> AccessClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count < 8192,
              let signature = Base64URL.decode(parts[2]),
              let headerBytes = Base64URL.decode(parts[0]),
              let payloadBytes = Base64URL.decode(parts[1])
        else { return nil }
        let signingInput = Array(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        guard OpenSSL.constantTimeEqual(OpenSSL.hmacSHA256(key: key, data: signingInput), signature),
              let header = try? JSONParser.parse(headerBytes), header["alg"]?.string == "HS256",
              let payload = try? JSONParser.parse(payloadBytes), payload.object != nil
        else { return nil }
        // `sub` is a string since PyJWT 2.10; older flask-jwt-extended wrote integers.
        let sub: String? = payload["sub"]?.string ?? payload["sub"]?.int64.map { String($0) }
        let fresh: AccessClaims.Fresh? = payload["fresh"]?.bool.map { .flag($0) } ?? payload["fresh"]?.double.map { .until($0) }
        guard let sub, let jti = payload["jti"]?.string, payload["type"]?.string == "access",
              let iat = payload["iat"]?.double, let exp = payload["exp"]?.double
        else { return nil }
        let nbf = payload["nbf"] == nil ? iat : payload["nbf"]?.double
        // Times far outside any plausible range are refused before they are converted.
        let plausible = 0.0...1e12
        guard let nbf, plausible.contains(iat), plausible.contains(nbf), plausible.contains(exp),
              Double(now) < exp, Double(now) >= nbf else { return nil }
        return AccessClaims(
            sub: sub, jti: jti, fresh: fresh ?? .flag(false),
            iat: Int64(iat.rounded(.down)), nbf: Int64(nbf.rounded(.down)), exp: Int64(exp.rounded(.down)))
    }
}
