import AuthCore
import AuthJSON
import Synchronization

/// HS256 JSON Web Tokens with flask-jwt-extended's access-token claims.
public struct HS256Codec: TokenCodec {
    private let hmac: OpenSSL.HMACSHA256
    private let recent = RecentTokens()
    /// `{"alg":"HS256","typ":"JWT"}`, as PyJWT writes it.
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    private static let headerBytes = Array(header.utf8)

    /// The secret must be at least 32 bytes: HS256 with a shorter key is guessable.
    public init(secret: [UInt8]) throws {
        guard secret.count >= 32 else {
            throw AuthError(.internal, "the JWT secret must be at least 32 bytes, got \(secret.count)")
        }
        self.hmac = OpenSSL.HMACSHA256(key: secret)
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
        return signingInput + "." + Base64URL.encode(hmac(signingInput.utf8))
    }

    public func decode(_ token: String, now: Int64) -> AccessClaims? {
        guard token.utf8.count < 8192 else { return nil }
        let checked: Checked
        if let known = recent.lookup(token) {
            checked = known
        } else {
            var bytes = token
            guard let fresh = bytes.withUTF8({ check(bytes: $0) }) else { return nil }
            recent.record(token, fresh)
            checked = fresh
        }
        // The times are checked on every use, remembered or not.
        guard Double(now) < checked.exp, Double(now) >= checked.nbf else { return nil }
        return checked.claims
    }

    /// A token whose signature and claims were found good, with its times as written.
    struct Checked: Sendable {
        var claims: AccessClaims
        var nbf: Double
        var exp: Double
    }

    /// Tokens checked lately, by their exact text: a service verifies the same token
    /// again and again, and the same text cannot have a different signature or claims.
    /// Only well-signed tokens get in, so only tokens authd issued can fill it.
    final class RecentTokens: Sendable {
        private let tokens = Mutex<[Key: Checked]>([:])
        static let limit = 10_000

        /// A token's text, hashed by its last 16 bytes: part of its signature, which is
        /// random for every token held here (only well-signed ones are), so hashing all
        /// ~200 bytes bought nothing. Equality still compares the whole text.
        struct Key: Hashable {
            let text: String

            func hash(into hasher: inout Hasher) {
                var text = text
                text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: $0.suffix(16)))) }
            }
        }

        func lookup(_ token: String) -> Checked? {
            tokens.withLock { $0[Key(text: token)] }
        }

        func record(_ token: String, _ checked: Checked) {
            tokens.withLock { tokens in
                if tokens.count >= Self.limit { tokens.removeAll(keepingCapacity: true) }
                tokens[Key(text: token)] = checked
            }
        }
    }

    /// The check on the token's bytes: it runs on every `auth.verify`, and working on
    /// Characters (split, Substring) cost more than the HMAC.
    private func check(bytes token: UnsafeBufferPointer<UInt8>) -> Checked? {
        let dot = UInt8(ascii: ".")
        guard let first = token.firstIndex(of: dot),
              let second = token[(first + 1)...].firstIndex(of: dot),
              !token[(second + 1)...].contains(dot),
              let signature = Base64URL.decode(bytes: token[(second + 1)...]),
              let payloadBytes = Base64URL.decode(bytes: token[(first + 1)..<second]),
              OpenSSL.constantTimeEqual(hmac(UnsafeBufferPointer(rebasing: token[..<second])), signature),
              token[..<first].elementsEqual(Self.headerBytes)
                || (Base64URL.decode(bytes: token[..<first]).flatMap { try? JSONParser.parse($0) })?["alg"]?.string == "HS256",
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
        guard let nbf, plausible.contains(iat), plausible.contains(nbf), plausible.contains(exp) else { return nil }
        let claims = AccessClaims(
            sub: sub, jti: jti, fresh: fresh ?? .flag(false),
            iat: Int64(iat.rounded(.down)), nbf: Int64(nbf.rounded(.down)), exp: Int64(exp.rounded(.down)))
        return Checked(claims: claims, nbf: nbf, exp: exp)
    }
}
