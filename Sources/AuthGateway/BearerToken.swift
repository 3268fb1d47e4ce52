import Foundation

/// Reading an access token off a request, and peeking at whose it claims to be.
enum BearerToken {
    /// The token of `Authorization: Bearer <token>` (the scheme in any case); nil when the
    /// header is missing or has another form.
    static func from(authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    /// The user id in the token's `sub` claim, read WITHOUT checking the signature. It only
    /// chooses how to ask authd (see `Gateway.checkOwnAccount`); authd alone decides whether
    /// the token is any good.
    static func subject(of token: String) -> Int64? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = base64URLDecode(parts[1]),
              let claims = try? JSONSerialization.jsonObject(with: payload) as? [String: Any],
              let sub = claims["sub"] as? String
        else { return nil }
        return Int64(sub)
    }

    private static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
