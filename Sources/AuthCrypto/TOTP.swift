import AuthCore

/// RFC 6238 time-based one-time passwords as the contract fixes them: HMAC-SHA1,
/// 6 digits, 30-second steps, a 20-byte secret.
public enum TOTP {
    public static let digits = 6
    public static let period: Int64 = 30
    public static let secretBytes = 20

    /// A new random secret.
    public static func generateSecret() -> [UInt8] { OpenSSL.randomBytes(secretBytes) }

    /// The step that `unixSeconds` falls in (rounding down before 1970 too).
    public static func step(at unixSeconds: Int64) -> Int64 {
        unixSeconds >= 0 ? unixSeconds / period : (unixSeconds - period + 1) / period
    }

    /// The code of one step, zero-padded to six digits.
    public static func code(secret: [UInt8], step: Int64) -> String {
        let value = String(truncated(secret: secret, step: step) % 1_000_000)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// RFC 4226's dynamic truncation: 31 bits of the HMAC of the step counter.
    static func truncated(secret: [UInt8], step: Int64) -> UInt32 {
        let counter = (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: step) >> (56 - 8 * UInt64($0))) }
        let mac = OpenSSL.hmacSHA1(key: secret, data: counter)
        let offset = Int(mac[19] & 0x0F)
        return (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
    }

    /// The step `code` belongs to among one step early, the current one and one late,
    /// counting only steps after `highestAcceptedStep` (a step's code is good once);
    /// nil when none matches. Every candidate is compared, in constant time; should a
    /// code match two steps, the later is returned so that neither can be replayed.
    public static func match(code: String, secret: [UInt8], now: Int64, after highestAcceptedStep: Int64?) -> Int64? {
        let given = Array(code.utf8)
        guard given.count == digits, given.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        let current = step(at: now)
        var accepted: Int64?
        for candidate in (current - 1)...(current + 1) {
            let equal = OpenSSL.constantTimeEqual(Array(self.code(secret: secret, step: candidate).utf8), given)
            if equal, candidate >= 0, candidate > (highestAcceptedStep ?? Int64.min) { accepted = candidate }
        }
        return accepted
    }

    /// The provisioning URI authenticator apps scan:
    /// `otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=ISSUER&algorithm=SHA1&digits=6&period=30`.
    public static func otpauthURI(issuer: String, account: String, secret: [UInt8]) -> String {
        let issuer = PercentEncoding.encoded(issuer)
        return "otpauth://totp/\(issuer):\(PercentEncoding.encoded(account))?secret=\(Base32.encode(secret))&issuer=\(issuer)&algorithm=SHA1&digits=\(digits)&period=\(period)"
    }
}
