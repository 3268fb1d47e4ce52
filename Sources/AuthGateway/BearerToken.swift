import AuthJSON

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
    /// the token is any good. On every user request, hence bytes rather than Foundation.
    static func subject(of token: String) -> Int64? {
        let bytes = Array(token.utf8)
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
              let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
              let payload = base64URLDecode(bytes[(firstDot + 1)..<secondDot]),
              let sub = (try? JSONParser.parse(payload))?["sub"]?.string
        else { return nil }
        return Int64(sub)
    }

    /// RFC 4648 §5 without padding, as JWTs use it; nil on any other character.
    static func base64URLDecode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for c in text {
            let value: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(c - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(c - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "_"): value = 63
            default: return nil
            }
            accumulator = (accumulator << 6 | value) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
