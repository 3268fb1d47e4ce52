import CCrypt
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// libxcrypt, the only file that sees it. Thread-safe: every call brings its own
/// `crypt_data` (32 KiB, so on the heap, never on a Swift stack).
enum XCrypt {
    /// A new setting for `prefix` (e.g. "$2b$") at `cost`, salted from the OS random source.
    static func setting(prefix: String, cost: Int) -> String? {
        var buf = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let ok = buf.withUnsafeMutableBufferPointer { out in
            crypt_gensalt_rn(prefix, UInt(cost), nil, 0, out.baseAddress, Int32(out.count)) != nil
        }
        guard ok else { return nil }
        return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The crypt(5) string of `phrase` under `setting` (a setting or a whole hash);
    /// nil when libxcrypt refuses (its failure tokens start with "*").
    static func crypt(_ phrase: String, setting: String) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            // Scrub the intermediate state, which holds key material.
            memset(data, 0, MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let out = crypt_r(phrase, setting, data) else { return nil }
        let result = String(cString: out)
        return result.hasPrefix("*") ? nil : result
    }

    /// Whether libxcrypt recognises the hash's method and parameters as usable.
    static func isVerifiable(_ hash: String) -> Bool {
        let r = crypt_checksalt(hash)
        return r == CRYPT_SALT_OK || r == CRYPT_SALT_METHOD_LEGACY || r == CRYPT_SALT_TOO_CHEAP
    }
}
