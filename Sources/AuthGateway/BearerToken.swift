import AuthJSON
import Synchronization

/// Reading an access token off a request, and peeking at whose it claims to be.
enum BearerToken {
    /// The token of `Authorization: Bearer <token>` (the scheme in any case); nil when the
    /// header is missing or has another form.
    static func from(authorization: String?) -> String? {
        guard var authorization else { return nil }
        // On every request, hence on the UTF-8 bytes; a value with other than ASCII in it
        // (never a real token) takes the Character path, whose answer the bytes' must equal.
        if let token = authorization.withUTF8(fromASCII) { return token }
        let parts = authorization.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    /// `from(authorization:)` on ASCII bytes: `.some(nil)` when it is not a bearer token,
    /// nil when the bytes are not all ASCII.
    private static func fromASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String?? {
        // The words between spaces: the first two, and how many there are.
        var (first, second, count) = (0..<0, 0..<0, 0)
        var start: Int?
        for i in 0...bytes.count {
            let byte = i < bytes.count ? bytes[i] : UInt8(ascii: " ")
            guard byte < 0x80 else { return nil }
            if byte != UInt8(ascii: " ") {
                if start == nil { start = i }
            } else if let s = start {
                if count == 0 { first = s..<i } else if count == 1 { second = s..<i }
                count += 1
                start = nil
            }
        }
        guard count == 2, first.count == 6, zip(bytes[first], "bearer".utf8).allSatisfy({ $0 | 0x20 == $1 }) else {
            return .some(nil)
        }
        return .some(String(decoding: UnsafeBufferPointer(rebasing: bytes[second]), as: UTF8.self))
    }

    /// The user id in the token's `sub` claim, read WITHOUT checking the signature. It only
    /// chooses how to ask authd (see `Gateway.checkOwnAccount`); authd alone decides whether
    /// the token is any good. On every user request, hence bytes rather than Foundation, and
    /// remembered by the claims' text (not the whole token: without its signature that text
    /// is no credential), since a client sends one token many times.
    static func subject(of token: String) -> Int64? {
        var token = token
        return token.withUTF8 { bytes -> Int64? in
            guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
                  let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: "."))
            else { return nil }
            let claims = UnsafeBufferPointer(rebasing: bytes[(firstDot + 1)..<secondDot])
            let key = String(decoding: claims, as: UTF8.self)
            if let known = recentSubjects.withLock({ $0[key] }) { return known }
            let subject = base64URLDecode(claims).flatMap { payload in
                payload.withUnsafeBufferPointer { try? JSONParser.parse(buffer: $0) }?["sub"]?.string.flatMap { Int64($0) }
            }
            recentSubjects.withLock { recent in
                // Bounded: forgetting them all now and then costs one parse per token.
                if recent.count >= recentSubjectsLimit { recent.removeAll(keepingCapacity: true) }
                recent[key] = subject
            }
            return subject
        }
    }

    /// The subject of each claims text seen lately (nil for one without a numeric `sub`).
    private static let recentSubjects = Mutex<[String: Int64?]>([:])
    static let recentSubjectsLimit = 1024

    /// RFC 4648 §5 without padding, as JWTs use it; nil on any other character.
    static func base64URLDecode(_ text: some Collection<UInt8>) -> [UInt8]? {
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
