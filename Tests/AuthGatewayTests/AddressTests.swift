@testable import AuthGateway
import Testing

/// Addresses, networks, and whose `X-Forwarded-For` is believed.
@Suite struct AddressTests {
    @Test func addressesParseAndPrint() {
        #expect(IPAddress("192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress("2001:db8::1")?.description == "2001:db8::1")
        #expect(IPAddress("::ffff:192.0.2.1") == IPAddress("192.0.2.1"))
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "example.com", "[::1]", "fe80::1%eth0"] {
            #expect(IPAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func networksContainTheirAddressesOnly() throws {
        let ten = try #require(CIDR("10.0.0.0/8"))
        #expect(ten.contains(IPAddress("10.255.1.2")!))
        #expect(!ten.contains(IPAddress("11.0.0.1")!))
        #expect(!ten.contains(IPAddress("::1")!))
        #expect(CIDR("10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(CIDR("192.0.2.7")?.contains(IPAddress("192.0.2.7")!) == true)
        #expect(CIDR("192.0.2.7")?.contains(IPAddress("192.0.2.8")!) == false)
        #expect(CIDR("fd00::/8")?.contains(IPAddress("fdab::1")!) == true)
        #expect(CIDR("0.0.0.0/0")?.contains(IPAddress("8.8.8.8")!) == true)
        #expect(CIDR("192.168.1.0/23")?.description == "192.168.0.0/23")
        for bad in ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129", "nonsense/8", "10.0.0.0/-1"] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }

    let resolver = ClientAddressResolver(trustedProxies: [CIDR("127.0.0.1")!, CIDR("10.0.0.0/8")!])

    @Test func anUntrustedPeersForwardedForIsIgnored() {
        let peer = IPAddress("198.51.100.7")
        #expect(resolver.resolve(peer: peer, forwardedFor: ["203.0.113.1"]) == peer)
        #expect(ClientAddressResolver(trustedProxies: []).resolve(peer: IPAddress("127.0.0.1"), forwardedFor: ["203.0.113.1"])
            == IPAddress("127.0.0.1"))
    }

    @Test func aTrustedProxyVouchesForTheHopBeforeIt() {
        let proxy = IPAddress("127.0.0.1")
        #expect(resolver.resolve(peer: proxy, forwardedFor: ["203.0.113.1"]) == IPAddress("203.0.113.1"))
        #expect(resolver.resolve(peer: proxy, forwardedFor: []) == proxy)
        // A client's forged entry sits left of the one the proxy added, and is not reached.
        #expect(resolver.resolve(peer: proxy, forwardedFor: ["6.6.6.6, 203.0.113.1"]) == IPAddress("203.0.113.1"))
        // Through two trusted proxies, in one header or several.
        #expect(resolver.resolve(peer: proxy, forwardedFor: ["6.6.6.6, 203.0.113.1, 10.1.1.1"]) == IPAddress("203.0.113.1"))
        #expect(resolver.resolve(peer: proxy, forwardedFor: ["6.6.6.6, 203.0.113.1", "10.1.1.1"]) == IPAddress("203.0.113.1"))
        // Ports are ignored; garbage stops the walk at the last vouched-for hop.
        #expect(resolver.resolve(peer: proxy, forwardedFor: ["203.0.113.1:4444"]) == IPAddress("203.0.113.1"))
        #expect(resolver.resolve(peer: proxy, forwardedFor: ["[2001:db8::5]:4444"]) == IPAddress("2001:db8::5"))
        #expect(resolver.resolve(peer: proxy, forwardedFor: ["unknown, 10.2.2.2"]) == IPAddress("10.2.2.2"))
        #expect(resolver.resolve(peer: nil, forwardedFor: ["203.0.113.1"]) == nil)
    }

    @Test func bearerTokensAreReadFromTheAuthorizationHeader() {
        #expect(BearerToken.from(authorization: "Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(BearerToken.from(authorization: "bearer   abc") == "abc")
        #expect(BearerToken.from(authorization: "Basic abc") == nil)
        #expect(BearerToken.from(authorization: "Bearer") == nil)
        #expect(BearerToken.from(authorization: nil) == nil)
    }
}
