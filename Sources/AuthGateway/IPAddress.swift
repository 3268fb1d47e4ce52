import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as its bytes. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`,
/// as a dual-stack listener reports IPv4 peers) is the IPv4 address, so that one
/// `--trusted-proxy 10.0.0.0/8` covers both ways a proxy may arrive.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self.bytes = bytes
        case 16:
            let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
            self.bytes = Array(bytes[0..<12]) == mapped ? Array(bytes[12...]) : bytes
        default: return nil
        }
    }

    /// Parses dotted IPv4 or textual IPv6 (brackets and a zone are not accepted).
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// The address of an IP peer; nil for a Unix socket peer.
    public init?(_ address: SocketAddress) {
        switch address {
        case .v4(let a):
            var raw = a.address.sin_addr
            self.init(bytes: withUnsafeBytes(of: &raw) { Array($0) })
        case .v6(let a):
            var raw = a.address.sin6_addr
            self.init(bytes: withUnsafeBytes(of: &raw) { Array($0) })
        case .unixDomainSocket:
            return nil
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &out, socklen_t(out.count)) }
        return String(cString: out)
    }
}
