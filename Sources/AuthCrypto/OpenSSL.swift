import COpenSSL

/// OpenSSL, the only file that sees it.
enum OpenSSL {
    /// HMAC-SHA256 of `data` under `key`.
    static func hmacSHA256(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBytes { k in
            data.withUnsafeBytes { d in
                out.withUnsafeMutableBytes { o in
                    _ = HMAC(EVP_sha256(), k.baseAddress, Int32(k.count),
                             d.baseAddress?.assumingMemoryBound(to: UInt8.self), d.count,
                             o.baseAddress!.assumingMemoryBound(to: UInt8.self), &length)
                }
            }
        }
        return out
    }

    /// Equality that takes the same time wherever the inputs differ.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                x.count == y.count && (x.count == 0 || CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0)
            }
        }
    }

    /// Bytes from OpenSSL's CSPRNG.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        precondition(ok == 1, "OpenSSL's random generator failed")
        return out
    }
}

/// Random bytes for secrets, from OpenSSL's CSPRNG.
public func secureRandomBytes(_ count: Int) -> [UInt8] {
    OpenSSL.randomBytes(count)
}
