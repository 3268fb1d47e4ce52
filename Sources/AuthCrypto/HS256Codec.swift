import AuthCore
import AuthJSON
import Synchronization

/// HS256 JSON Web Tokens with flask-jwt-extended's access-token claims.
public struct HS256Codec: TokenCodec {
    private let hmac: OpenSSL.HMACSHA256
    /// Keyed with HMAC(secret, a label of its own), so that a pseudonym is never a token's signature.
    private let pseudonyms: OpenSSL.HMACSHA256
    /// Keyed apart from both, for the successors of refresh tokens.
    private let successors: OpenSSL.HMACSHA256
    private let recent = RecentTokens()
    /// `{"alg":"HS256","typ":"JWT"}`, as PyJWT writes it.
    private static let header = Base64URL.encode(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
    private static let headerBytes = Array(header.utf8)

    /// The secret must be at least 32 bytes: HS256 with a shorter key is guessable.
    public init(secret: [UInt8]) throws {
        guard secret.count >= 32 else {
            throw AuthError(.internal, "the JWT secret must be at least 32 bytes, got \(secret.count)")
        }
        let signer = OpenSSL.HMACSHA256(key: secret)
        self.hmac = signer
        self.pseudonyms = OpenSSL.HMACSHA256(key: signer("authd login throttle pseudonyms".utf8))
        self.successors = OpenSSL.HMACSHA256(key: signer("authd refresh token successors".utf8))
    }

    public func newOpaqueToken() -> String { Base64URL.encode(OpenSSL.randomBytes(32)) }

    public func successor(ofRefreshToken token: String) -> String { Base64URL.encode(successors(token.utf8)) }

    public func digest(_ token: String) -> String { Hex.encode(OpenSSL.sha256(Array(token.utf8))) }

    public func pseudonym(_ text: String) -> String {
        Hex.encode(pseudonyms(text.utf8))
    }

    public func encode(_ claims: AccessClaims) -> String {
        let fresh: JSON = switch claims.fresh {
        case .flag(let b): .bool(b)
        case .until(let t): .number(String(t))
        }
        var members: [String: JSON] = [
            "fresh": fresh, "iat": .int(claims.iat), "jti": .string(claims.jti), "type": .string(claims.type),
            "sub": .string(claims.sub), "nbf": .int(claims.nbf), "exp": .int(claims.exp),
        ]
        members["sid"] = claims.sid.map { .string($0) }
        members["amr"] = claims.amr.map { .array($0.map { .string($0) }) }
        members["sexp"] = claims.sessionExpiresAt.map { .int($0) }
        let payload = JSON.object(members)
        let signingInput = Self.header + "." + Base64URL.encode(payload.serialized())
        return signingInput + "." + Base64URL.encode(hmac(signingInput.utf8))
    }

    public func check(_ token: String, now: Int64) -> TokenCheck {
        guard token.utf8.count < 8192 else { return .invalid }
        let checked: Checked
        if let known = recent.lookup(token) {
            checked = known
        } else {
            var bytes = token
            guard let fresh = bytes.withUTF8({ check(bytes: $0) }) else { return .invalid }
            recent.record(token, fresh)
            checked = fresh
        }
        // The times are checked on every use, remembered or not.
        guard Double(now) < checked.exp else { return .expired }
        guard Double(now) >= checked.nbf, checked.claims.iat <= now + Self.iatLeeway else { return .invalid }
        return .valid(checked.claims)
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
              token[..<first].elementsEqual(Self.headerBytes) || Self.acceptable(header: token[..<first]),
              let payload = try? JSONParser.parse(payloadBytes), payload.object != nil
        else { return nil }
        // `sub` is a string since PyJWT 2.10; older flask-jwt-extended wrote integers.
        let sub: String? = payload["sub"]?.string ?? payload["sub"]?.int64.map { String($0) }
        let fresh: AccessClaims.Fresh? = payload["fresh"]?.bool.map { .flag($0) } ?? payload["fresh"]?.double.map { .until($0) }
        guard let sub, Self.isCanonicalDecimal(sub), let jti = payload["jti"]?.string, payload["type"]?.string == "access",
              let iat = payload["iat"]?.double, let exp = payload["exp"]?.double
        else { return nil }
        let nbf = payload["nbf"] == nil ? iat : payload["nbf"]?.double
        // Times far outside any plausible range are refused before they are converted.
        let plausible = 0.0...1e12
        guard let nbf, plausible.contains(iat), plausible.contains(nbf), plausible.contains(exp) else { return nil }
        let claims = AccessClaims(
            sub: sub, jti: jti, fresh: fresh ?? .flag(false),
            iat: Int64(iat.rounded(.down)), nbf: Int64(nbf.rounded(.down)), exp: Int64(exp.rounded(.down)),
            sid: payload["sid"]?.string, amr: Self.methods(payload["amr"]), sessionExpiresAt: payload["sexp"]?.int64)
        return Checked(claims: claims, nbf: nbf, exp: exp)
    }

    /// An `amr` claim: an array of strings, else none.
    private static func methods(_ claim: JSON?) -> [String]? {
        guard let items = claim?.array else { return nil }
        let names = items.compactMap(\.string)
        return names.count == items.count ? names : nil
    }

    /// Seconds an `iat` may lie ahead of this host's clock (another host's clock may run ahead).
    static let iatLeeway: Int64 = 5

    /// A header other than authd's own: `alg` must be HS256, and a `crit` header names
    /// extensions the reader must understand (RFC 7515 §4.1.11); authd understands none.
    private static func acceptable(header: UnsafeBufferPointer<UInt8>.SubSequence) -> Bool {
        guard let json = Base64URL.decode(bytes: header).flatMap({ try? JSONParser.parse($0) }) else { return false }
        return json["alg"]?.string == "HS256" && json["crit"] == nil
    }

    /// A user id as authd writes it: digits without a sign or leading zeros, so that one
    /// id has one spelling (`"01"` or `"+1"` would otherwise name user 1 as well).
    static func isCanonicalDecimal(_ text: String) -> Bool {
        let digits = text.utf8
        guard let first = digits.first, digits.count <= 19, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return first != 0x30 || digits.count == 1
    }
}
