import AuthCore
import AuthJSON
import Foundation
import Testing
@testable import AuthCrypto

@Suite struct TokenTests {
    static let secret = Array(repeating: UInt8(0x61), count: 32)
    let codec = try! HS256Codec(secret: TokenTests.secret)
    let now: Int64 = 1_800_000_000

    private func claims(sub: String = "42", iat: Int64? = nil, exp: Int64? = nil) -> AccessClaims {
        AccessClaims(sub: sub, jti: "jti-1", fresh: .flag(true), iat: iat ?? now, nbf: iat ?? now, exp: exp ?? now + 3600)
    }

    /// A token with any header and payload, signed HS256 with `key`.
    private func sign(header: String, payload: String, key: [UInt8] = TokenTests.secret) -> String {
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        return input + "." + Base64URL.encode(OpenSSL.HMACSHA256(key: key)(Array(input.utf8)))
    }

    private let hs256 = #"{"alg":"HS256","typ":"JWT"}"#
    private func payload(
        _ extra: String = "", sub: String = #""42""#, type: String = "access", iat: Int64? = nil, nbf: Int64? = nil, exp: Int64? = nil
    ) -> String {
        #"{"sub":\#(sub),"jti":"j","type":"\#(type)","fresh":false,"iat":\#(iat ?? now),"nbf":\#(nbf ?? now),"exp":\#(exp ?? now + 60)\#(extra)}"#
    }

    /// RFC 4231 test case 2, twice, and from several threads: the keyed contexts are reused.
    @Test func hmacMatchesRFC4231() async {
        let hmac = OpenSSL.HMACSHA256(key: Array("Jefe".utf8))
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        #expect(hex(hmac(Array("what do ya want for nothing?".utf8))) == expected)
        #expect(hex(hmac(Array("what do ya want for nothing?".utf8))) == expected)
        let results = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { hex(hmac(Array("what do ya want for nothing?".utf8))) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == Array(repeating: expected, count: 8))
    }

    @Test func roundTrip() {
        let c = claims()
        #expect(codec.decode(codec.encode(c), now: now) == c)
        #expect(codec.decode(codec.encode(c), now: now + 3599) == c)
    }

    @Test func tokenHasExactlyTheFlaskClaims() throws {
        let token = codec.encode(claims())
        let parts = token.split(separator: ".")
        #expect(parts.count == 3)
        let header = try JSONParser.parse(try #require(Base64URL.decode(parts[0])))
        #expect(header == ["alg": "HS256", "typ": "JWT"])
        let body = try JSONParser.parse(try #require(Base64URL.decode(parts[1])))
        #expect(Set(try #require(body.object).keys) == ["sub", "jti", "type", "fresh", "iat", "nbf", "exp"])
        #expect(body == ["sub": "42", "jti": "jti-1", "type": "access", "fresh": true,
                         "iat": .int(now), "nbf": .int(now), "exp": .int(now + 3600)])
    }

    @Test func tamperedPayloadIsRefused() {
        let token = codec.encode(claims())
        let parts = token.split(separator: ".").map(String.init)
        let forged = Base64URL.encode(Array(payload(sub: #""1""#).utf8))
        #expect(codec.decode(parts[0] + "." + forged + "." + parts[2], now: now) == nil)
        var flipped = Array(token.utf8)
        flipped[parts[0].utf8.count + 5] ^= 0x01
        #expect(codec.decode(String(decoding: flipped, as: UTF8.self), now: now) == nil)
    }

    @Test func wrongKeyIsRefused() throws {
        let other = try HS256Codec(secret: Array(repeating: 0x62, count: 32))
        #expect(other.decode(codec.encode(claims()), now: now) == nil)
        #expect(codec.decode(sign(header: hs256, payload: payload(), key: Array(repeating: 0x62, count: 32)), now: now) == nil)
    }

    @Test func handMadeHS256TokenIsAccepted() {
        #expect(codec.decode(sign(header: hs256, payload: payload()), now: now)?.sub == "42")
    }

    @Test func algNoneIsRefused() {
        let input = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + Base64URL.encode(Array(payload().utf8))
        #expect(codec.decode(input + ".", now: now) == nil)
        #expect(codec.decode(input, now: now) == nil)
        // Even with a signature that is right for its bytes.
        #expect(codec.decode(sign(header: #"{"alg":"none"}"#, payload: payload()), now: now) == nil)
    }

    @Test func otherAlgWithValidHS256SignatureIsRefused() {
        #expect(codec.decode(sign(header: #"{"alg":"HS512","typ":"JWT"}"#, payload: payload()), now: now) == nil)
        #expect(codec.decode(sign(header: #"{"typ":"JWT"}"#, payload: payload()), now: now) == nil)
    }

    @Test func refreshTokenIsRefused() {
        #expect(codec.decode(sign(header: hs256, payload: payload(type: "refresh")), now: now) == nil)
        var c = claims()
        c.type = "refresh"
        #expect(codec.decode(codec.encode(c), now: now) == nil)
    }

    @Test func expiredTokenIsRefused() {
        let token = codec.encode(claims(exp: now + 10))
        #expect(codec.decode(token, now: now + 9) != nil)
        #expect(codec.decode(token, now: now + 10) == nil)
        #expect(codec.decode(token, now: now + 11) == nil)
    }

    @Test func tokenNotYetValidIsRefused() {
        let token = sign(header: hs256, payload: payload(nbf: now + 5))
        #expect(codec.decode(token, now: now) == nil)
        #expect(codec.decode(token, now: now + 5)?.nbf == now + 5)
    }

    @Test func integerSubIsAccepted() {
        #expect(codec.decode(sign(header: hs256, payload: payload(sub: "7")), now: now)?.sub == "7")
    }

    /// `crit` names extensions a reader must understand; authd understands none.
    @Test func critHeaderIsRefused() {
        #expect(codec.decode(sign(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: payload()), now: now) != nil)
        #expect(codec.decode(sign(header: #"{"alg":"HS256","typ":"JWT","crit":["exp"]}"#, payload: payload()), now: now) == nil)
        #expect(codec.decode(sign(header: #"{"alg":"HS256","crit":[]}"#, payload: payload()), now: now) == nil)
    }

    /// An `iat` ahead of the clock by more than the leeway, on first use and when remembered.
    @Test func iatInTheFutureIsRefused() {
        let within = sign(header: hs256, payload: payload(iat: now + HS256Codec.iatLeeway, nbf: now))
        #expect(codec.decode(within, now: now) != nil)
        let beyond = sign(header: hs256, payload: payload(iat: now + 60, nbf: now))
        #expect(codec.decode(beyond, now: now) == nil)
        #expect(codec.decode(beyond, now: now + 55) != nil)
        #expect(codec.decode(beyond, now: now) == nil)
    }

    /// One id, one spelling: `"01"` and `"+1"` do not name user 1.
    @Test func nonCanonicalSubIsRefused() {
        for sub in [#""01""#, #""+1""#, #""-1""#, #"" 1""#, #""1 ""#, #""""#, #""1e3""#, #""١""#, "-1", #""99999999999999999999""#] {
            #expect(codec.decode(sign(header: hs256, payload: payload(sub: sub)), now: now) == nil, "sub \(sub)")
        }
        #expect(codec.decode(sign(header: hs256, payload: payload(sub: #""10""#)), now: now)?.sub == "10")
        #expect(codec.decode(sign(header: hs256, payload: payload(sub: #""0""#)), now: now)?.sub == "0")
    }

    @Test func missingOrBadClaimsAreRefused() {
        let noJTI = #"{"sub":"1","type":"access","iat":\#(now),"exp":\#(now + 60)}"#
        #expect(codec.decode(sign(header: hs256, payload: noJTI), now: now) == nil)
        #expect(codec.decode(sign(header: hs256, payload: payload(sub: "true")), now: now) == nil)
        #expect(codec.decode(sign(header: hs256, payload: "[1]"), now: now) == nil)
        #expect(codec.decode("a.b", now: now) == nil)
        #expect(codec.decode("", now: now) == nil)
        #expect(codec.decode(codec.encode(claims()) + "=", now: now) == nil)
    }

    @Test func nbfDefaultsToIat() {
        let p = #"{"sub":"1","jti":"j","type":"access","iat":\#(now),"exp":\#(now + 60)}"#
        #expect(codec.decode(sign(header: hs256, payload: p), now: now)?.nbf == now)
    }

    @Test func secretOf31BytesIsRefused() {
        #expect(throws: AuthError.self) { try HS256Codec(secret: Array(repeating: 0x61, count: 31)) }
        #expect(throws: Never.self) { try HS256Codec(secret: Array(repeating: 0x61, count: 32)) }
    }

    @Test func tokenMadeByPyJWTDecodes() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let script = """
            import jwt
            print(jwt.encode({"fresh": False, "iat": \(now), "jti": "5a1b2c", "type": "access", "sub": "17", \
            "nbf": \(now), "exp": \(now + 900)}, "a" * 32, algorithm="HS256"))
            """
        let token = try runPython(script, needs: "PyJWT")
        let decoded = try #require(codec.decode(token, now: now))
        #expect(decoded == AccessClaims(sub: "17", jti: "5a1b2c", fresh: .flag(false), iat: now, nbf: now, exp: now + 900))
    }

    @Test func tokenMadeHereDecodesInPyJWT() throws {
        let now = Int64(Date().timeIntervalSince1970)
        let token = codec.encode(AccessClaims(sub: "3", jti: "x", fresh: .flag(true), iat: now, nbf: now, exp: now + 60))
        let out = try runPython("""
            import jwt
            c = jwt.decode("\(token)", "a" * 32, algorithms=["HS256"])
            print(c["sub"], c["type"], c["fresh"], c["exp"] - c["iat"])
            """, needs: "PyJWT")
        #expect(out == "3 access True 60")
    }

    @Test func aPseudonymIsKeyedByTheSecretAndIsNoSignature() throws {
        let other = try HS256Codec(secret: Array(repeating: 0x62, count: 32))
        let name = codec.pseudonym("alice")
        #expect(name == codec.pseudonym("alice"))
        #expect(name.count == 64 && name.allSatisfy(\.isHexDigit))
        #expect(name != other.pseudonym("alice"))
        #expect(name != codec.pseudonym("alicf"))
        #expect(!name.contains("alice"))
    }
}
