/// Reading an access token off a request. What the token says is authd's to read: the
/// gateway never decodes it, so it never decides whose account a request may reach.
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
}
