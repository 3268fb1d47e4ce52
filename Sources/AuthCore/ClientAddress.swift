#if canImport(Glibc)
import Glibc
#endif

/// A client's address as login throttling counts it.
enum ClientAddress {
    /// An IPv6 address by its /64, since one end user typically holds a whole /64 and
    /// could otherwise try from 2^64 addresses; anything else as given (at most 100
    /// characters, so that a long string cannot make rows large).
    static func throttleName(_ text: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard text.contains(":"), inet_pton(AF_INET6, text, &bytes) == 1 else { return String(text.prefix(100)) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            // An IPv4-mapped address is its IPv4 address.
            return bytes[12...].map { String($0) }.joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
