/// One-time recovery codes: 10 to a set, each 10 characters of the lowercase base32
/// alphabet written `xxxxx-xxxxx`, stored only as keyed hashes.
public struct RecoveryCodes: Sendable {
    public static let perSet = 10
    static let length = 10
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    private let hmac: OpenSSL.HMACSHA256

    /// Hashes under a key derived from the MFA key with a label of its own, so that no
    /// hash relates to the key's fingerprint or to anything else keyed by the MFA key.
    public init(mfaKey: [UInt8]) {
        hmac = OpenSSL.HMACSHA256(key: OpenSSL.HMACSHA256(key: mfaKey)(Array("authd mfa recovery code hash key".utf8)))
    }

    /// A new set of distinct codes, 50 random bits each.
    public static func generate() -> [String] {
        var codes: [String] = []
        while codes.count < perSet {
            // 256 is a multiple of 32: masking a byte picks each character equally often.
            let characters = OpenSSL.randomBytes(length).map { alphabet[Int($0 & 31)] }
            let code = String(decoding: Array(characters[..<5]) + [UInt8(ascii: "-")] + Array(characters[5...]), as: UTF8.self)
            if !codes.contains(code) { codes.append(code) }
        }
        return codes
    }

    /// The code as stored and compared: lowercase, no hyphens or spaces; nil if what is
    /// left is not 10 characters of the alphabet.
    public static func normalize(_ code: String) -> String? {
        let characters = code.utf8
            .filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: " ") }
            .map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 }
        guard characters.count == length, characters.allSatisfy(alphabet.contains) else { return nil }
        return String(decoding: characters, as: UTF8.self)
    }

    /// The keyed hash (HMAC-SHA256, hex) of a code's normal form; nil for no code at all.
    public func hash(_ code: String) -> String? {
        Self.normalize(code).map { Hex.encode(hmac(Array($0.utf8))) }
    }
}
