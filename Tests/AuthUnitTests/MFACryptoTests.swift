import Foundation
import Testing
@testable import AuthCrypto

@Suite struct MFACryptoTests {
    /// RFC 6238's SHA-1 seed.
    static let rfcSecret = Array("12345678901234567890".utf8)

    // MARK: Base32

    @Test func base32EncodesRFC4648VectorsUnpadded() {
        let vectors = ["": "", "f": "MY", "fo": "MZXQ", "foo": "MZXW6", "foob": "MZXW6YQ", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI"]
        for (plain, encoded) in vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
        }
    }

    @Test func base32DecodesRFC4648VectorsPaddedOrNot() {
        let vectors = ["": "", "f": "MY======", "fo": "MZXQ====", "foo": "MZXW6===", "foob": "MZXW6YQ=", "fooba": "MZXW6YTB", "foobar": "MZXW6YTBOI======"]
        for (plain, encoded) in vectors {
            #expect(Base32.decode(encoded) == Array(plain.utf8))
            #expect(Base32.decode(encoded.replacingOccurrences(of: "=", with: "")) == Array(plain.utf8))
        }
    }

    @Test func base32DecodeIgnoresCaseAndSpaces() {
        #expect(Base32.decode("mzxw 6ytb oi") == Array("foobar".utf8))
        #expect(Base32.decode("MzXw6YtBoI==") == Array("foobar".utf8))
    }

    @Test func base32DecodeRejectsOtherCharactersAndImpossibleLengths() {
        for bad in ["MZXW1", "MZXW8", "MZ-XW", "MZXW6\n", "MZ=XW", "M", "MZX", "MZXW6Y", "É"] {
            #expect(Base32.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func base32RoundTripsEveryLength() {
        for count in 0...41 {
            let bytes = OpenSSL.randomBytes(count)
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }

    // MARK: TOTP

    /// RFC 6238 Appendix B, SHA-1 rows: the 8-digit values, and the 6-digit codes they give.
    @Test func totpMatchesRFC6238AppendixB() {
        let vectors: [(Int64, UInt32, String)] = [
            (59, 94_287_082, "287082"),
            (1_111_111_109, 7_081_804, "081804"),
            (1_111_111_111, 14_050_471, "050471"),
            (1_234_567_890, 89_005_924, "005924"),
            (2_000_000_000, 69_279_037, "279037"),
            (20_000_000_000, 65_353_130, "353130"),
        ]
        for (time, eight, six) in vectors {
            let step = TOTP.step(at: time)
            #expect(TOTP.truncated(secret: Self.rfcSecret, step: step) % 100_000_000 == eight)
            #expect(TOTP.code(secret: Self.rfcSecret, step: step) == six)
        }
    }

    @Test func stepsAreThirtySeconds() {
        #expect(TOTP.step(at: 0) == 0)
        #expect(TOTP.step(at: 29) == 0)
        #expect(TOTP.step(at: 30) == 1)
        #expect(TOTP.step(at: 1_111_111_109) == 0x23523EC)
        #expect(TOTP.step(at: -1) == -1)
        #expect(TOTP.generateSecret().count == 20)
    }

    @Test func matchAcceptsOneStepEarlyOrLateAndNoFurther() {
        let now: Int64 = 1_234_567_890
        let current = TOTP.step(at: now)
        for offset: Int64 in -1...1 {
            let code = TOTP.code(secret: Self.rfcSecret, step: current + offset)
            #expect(TOTP.match(code: code, secret: Self.rfcSecret, now: now, after: nil) == current + offset)
        }
        for offset: Int64 in [-3, -2, 2, 3] {
            let code = TOTP.code(secret: Self.rfcSecret, step: current + offset)
            #expect(TOTP.match(code: code, secret: Self.rfcSecret, now: now, after: nil) == nil)
        }
    }

    @Test func matchRefusesAReplayedOrOlderStep() {
        let now: Int64 = 1_234_567_890
        let current = TOTP.step(at: now)
        let code = TOTP.code(secret: Self.rfcSecret, step: current)
        let accepted = TOTP.match(code: code, secret: Self.rfcSecret, now: now, after: nil)
        #expect(accepted == current)
        #expect(TOTP.match(code: code, secret: Self.rfcSecret, now: now, after: accepted) == nil)
        #expect(TOTP.match(code: code, secret: Self.rfcSecret, now: now + 30, after: accepted) == nil)
        // An earlier step's code is refused once a later one was accepted.
        let early = TOTP.code(secret: Self.rfcSecret, step: current - 1)
        #expect(TOTP.match(code: early, secret: Self.rfcSecret, now: now, after: current - 1) == nil)
        // The next step's code is still good.
        let late = TOTP.code(secret: Self.rfcSecret, step: current + 1)
        #expect(TOTP.match(code: late, secret: Self.rfcSecret, now: now, after: current) == current + 1)
    }

    @Test func matchRefusesWrongAndMalformedCodes() {
        let now: Int64 = 59
        #expect(TOTP.match(code: "287082", secret: Self.rfcSecret, now: now, after: nil) == 1)
        for bad in ["287083", "28708", "2870820", "28708a", " 287082", "", "２87082"] {
            #expect(TOTP.match(code: bad, secret: Self.rfcSecret, now: now, after: nil) == nil, "\(bad)")
        }
        #expect(TOTP.match(code: "287082", secret: Array("12345678901234567891".utf8), now: now, after: nil) == nil)
    }

    @Test func otpauthURIHasTheContractsShape() {
        let secret = Array("12345678901234567890".utf8)
        #expect(TOTP.otpauthURI(issuer: "authd", account: "alice", secret: secret)
            == "otpauth://totp/authd:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=authd&algorithm=SHA1&digits=6&period=30")
    }

    @Test func otpauthURIPercentEncodesIssuerAndAccount() {
        let uri = TOTP.otpauthURI(issuer: "Acme Co:IT", account: "bob@example.com/é&x=1", secret: Array(repeating: 0, count: 20))
        #expect(uri == "otpauth://totp/Acme%20Co%3AIT:bob%40example.com%2F%C3%A9%26x%3D1?secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&issuer=Acme%20Co%3AIT&algorithm=SHA1&digits=6&period=30")
    }

    // MARK: SecretBox

    static let key = Array(0..<32).map { UInt8($0) }

    @Test func secretBoxRoundTripsWithTheDocumentedLayout() throws {
        let box = try SecretBox(key: Self.key)
        for plaintext in [[], [0x42], TOTP.generateSecret(), OpenSSL.randomBytes(1000)] {
            let sealed = box.seal(plaintext, associatedData: Array("user 7".utf8))
            #expect(sealed.count == 1 + 12 + plaintext.count + 16)
            #expect(sealed[0] == 1)
            #expect(try box.open(sealed, associatedData: Array("user 7".utf8)) == plaintext)
        }
    }

    @Test func secretBoxUsesAFreshNonceEachTime() throws {
        let box = try SecretBox(key: Self.key)
        let a = box.seal(Self.rfcSecret), b = box.seal(Self.rfcSecret)
        #expect(a[1..<13] != b[1..<13])
        #expect(a != b)
    }

    /// Every byte of a box (version, nonce, ciphertext, tag) flipped in every bit: refused.
    @Test func secretBoxRefusesAnyAlteredByte() throws {
        let box = try SecretBox(key: Self.key)
        let sealed = box.seal(Self.rfcSecret, associatedData: [1, 2, 3])
        for index in sealed.indices {
            for bit in 0..<8 {
                var altered = sealed
                altered[index] ^= 1 << bit
                let expected: SecretBox.Failure = index == 0 ? .malformed : .unauthentic
                #expect(throws: expected) { try box.open(altered, associatedData: [1, 2, 3]) }
            }
        }
    }

    @Test func secretBoxRefusesTruncationAndExtension() throws {
        let box = try SecretBox(key: Self.key)
        let sealed = box.seal(Self.rfcSecret)
        for length in 0..<sealed.count {
            let expected: SecretBox.Failure = length < 29 ? .malformed : .unauthentic
            #expect(throws: expected) { try box.open(Array(sealed.prefix(length))) }
        }
        #expect(throws: SecretBox.Failure.unauthentic) { try box.open(sealed + [0]) }
        // A box of an empty plaintext is exactly 29 bytes; with its tag cut it is malformed.
        let empty = box.seal([])
        #expect(try box.open(empty) == [])
        #expect(throws: SecretBox.Failure.malformed) { try box.open(Array(empty.dropLast())) }
    }

    @Test func secretBoxRefusesAnotherKeyOrOtherAssociatedData() throws {
        let sealed = try SecretBox(key: Self.key).seal(Self.rfcSecret, associatedData: [7])
        var other = Self.key
        other[31] ^= 1
        #expect(throws: SecretBox.Failure.unauthentic) { try SecretBox(key: other).open(sealed, associatedData: [7]) }
        #expect(throws: SecretBox.Failure.unauthentic) { try SecretBox(key: Self.key).open(sealed, associatedData: [8]) }
        #expect(throws: SecretBox.Failure.unauthentic) { try SecretBox(key: Self.key).open(sealed) }
    }

    @Test func secretBoxNeedsA32ByteKey() {
        for count in [0, 16, 31, 33, 64] {
            #expect(throws: SecretBox.Failure.keyLength) { try SecretBox(key: Array(repeating: 1, count: count)) }
        }
    }

    @Test func fingerprintIsHMACSHA256OfTheLabel() throws {
        let fingerprint = try SecretBox(key: Self.key).fingerprint
        #expect(fingerprint == Hex.encode(OpenSSL.HMACSHA256(key: Self.key)(Array("authd mfa key fingerprint".utf8))))
        #expect(fingerprint.count == 64)
        var other = Self.key
        other[0] ^= 1
        #expect(try SecretBox(key: other).fingerprint != fingerprint)
    }

    // MARK: Recovery codes

    @Test func recoveryCodesAreTenDistinctCodesOfTheDocumentedShape() {
        let pattern = /^[a-z2-7]{5}-[a-z2-7]{5}$/
        for _ in 0..<20 {
            let codes = RecoveryCodes.generate()
            #expect(codes.count == 10)
            #expect(Set(codes).count == 10)
            for code in codes { #expect(code.wholeMatch(of: pattern) != nil, "\(code)") }
        }
    }

    @Test func recoveryCodesNormalizeCaseHyphensAndSpaces() {
        #expect(RecoveryCodes.normalize("abcde-fg234") == "abcdefg234")
        #expect(RecoveryCodes.normalize("ABCDEFG234") == "abcdefg234")
        #expect(RecoveryCodes.normalize(" AbCdE - fG234 ") == "abcdefg234")
        #expect(RecoveryCodes.normalize("a-b-c-d-e-f-g-2-3-4") == "abcdefg234")
        for bad in ["abcde-fg23", "abcde-fg2345", "abcde-fg231", "abcde_fg234", "abcde-fg23é", ""] {
            #expect(RecoveryCodes.normalize(bad) == nil, "\(bad)")
        }
    }

    @Test func recoveryCodeHashIsKeyedAndIgnoresTheWriting() {
        let codes = RecoveryCodes(mfaKey: Self.key)
        let hash = codes.hash("abcde-fg234")
        #expect(hash?.count == 64)
        #expect(codes.hash("ABCDEFG234") == hash)
        #expect(codes.hash("abcde-fg235") != hash)
        #expect(RecoveryCodes(mfaKey: Array(repeating: 9, count: 32)).hash("abcde-fg234") != hash)
        // Not the key itself, nor the fingerprint's key: a label of its own.
        #expect(hash != Hex.encode(OpenSSL.HMACSHA256(key: Self.key)(Array("abcdefg234".utf8))))
        #expect(codes.hash("not a code") == nil)
    }

    // MARK: Peer

    /// The same codes and URI as Python's pyotp, the library many authenticators' servers
    /// use. Fails (never skips) without python3 and pyotp.
    @Test func agreesWithPyotp() throws {
        let secret = TOTP.generateSecret()
        let base32 = Base32.encode(secret)
        let times: [Int64] = [0, 59, 1_111_111_109, 1_700_000_000, 1_800_000_029, 20_000_000_000]
        let uri = TOTP.otpauthURI(issuer: "authd", account: "alice@example.com", secret: secret)
        let output = try runPython("""
            import sys, pyotp
            t = pyotp.TOTP(sys.argv[1])
            print(" ".join(t.at(int(x)) for x in sys.argv[3:]))
            p = pyotp.parse_uri(sys.argv[2])
            print(p.secret, p.issuer, p.name, p.digits, p.interval, p.digest().name)
            """, [base32, uri] + times.map(String.init), needs: "pyotp")
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == 2, "pyotp printed: \(output)")
        #expect(lines[0] == times.map { TOTP.code(secret: secret, step: TOTP.step(at: $0)) }.joined(separator: " "))
        #expect(lines[1] == "\(base32) authd alice@example.com 6 30 sha1")
    }
}
