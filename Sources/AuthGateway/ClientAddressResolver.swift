import Foundation

/// Decides which address a request came from. `X-Forwarded-For` is believed only as far as
/// it was written by trusted proxies: starting from the connecting peer, each hop that is a
/// trusted proxy vouches for the entry to its left, and the first untrusted hop is the
/// client. Anyone can send the header, so an untrusted peer's is ignored entirely.
public struct ClientAddressResolver: Sendable {
    public let trustedProxies: [CIDR]

    public init(trustedProxies: [CIDR]) {
        self.trustedProxies = trustedProxies
    }

    /// - Parameters:
    ///   - peer: the connecting socket's address (nil when unknown or a Unix socket).
    ///   - forwardedFor: every `X-Forwarded-For` field value, in order.
    public func resolve(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard var client = peer, isTrusted(client) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            // A malformed entry cannot be attributed to anyone: stop at the last hop vouched for.
            guard let address = IPAddress(Self.stripPort(hop)) else { return client }
            client = address
            if !isTrusted(address) { return address }
        }
        return client
    }

    func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// Some proxies append a port (`1.2.3.4:5678`, `[::1]:5678`); the port says nothing about who.
    static func stripPort(_ hop: String) -> Substring {
        if hop.hasPrefix("["), let close = hop.firstIndex(of: "]") {
            return hop[hop.index(after: hop.startIndex)..<close]
        }
        if hop.filter({ $0 == ":" }).count == 1, let colon = hop.firstIndex(of: ":") {
            return hop[..<colon]
        }
        return hop[...]
    }
}
