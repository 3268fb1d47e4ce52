import AuthCore
import Foundation
import Testing
@testable import AuthCrypto

@Suite struct PasswordTests {
    let hasher = try! BcryptHasher(cost: 4, threads: 2, queueLimit: 64)

    /// Made once by Python: `bcrypt.hashpw(b'Flask#Pass1', bcrypt.gensalt(rounds=4, prefix=b'2b'))`.
    static let python2b = "$2b$04$qCMMl2YYs1J8CJ7KY8KW.Oa28k/6.C6TUgp30A2d3JanKugXwEFWa"
    /// The same with `prefix=b'2a'`.
    static let python2a = "$2a$04$Nq1Upqn3iO5UFO.aAz1o0.RGrMAgj0N7sJiOjnIMDi3sVhuiOxWcq"
    /// A `$2b$` hash of the same password with its prefix changed to `$2y$` (PHP's name for it).
    static let php2y = "$2y$04$gfZqDkS59unqB9oJKB2jlu3DXVDO08xSJ/TsS535vZ/zwfz32d6xm"
    /// `openssl passwd -6 -salt abcdefgh Pass`.
    static let sha512crypt = "$6$abcdefgh$zEYfLuVoKBAE5vltGVIt8cx/rKRAGlA8HFINUD2OoEl9Asoo/53B8ZhWU.ybFTGxS8gktIx6/oLzXHz2ZGk3n."

    @Test func hashIsBcrypt2bAtTheConfiguredCostAndVerifies() async throws {
        let hash = try await hasher.hash("Secret#123")
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(hash.utf8.count == 60)
        #expect(try await hasher.verify("Secret#123", against: hash))
    }

    @Test func saltsDiffer() async throws {
        let a = try await hasher.hash("Secret#123")
        let b = try await hasher.hash("Secret#123")
        #expect(a != b)
    }

    @Test func wrongPasswordFails() async throws {
        let hash = try await hasher.hash("Secret#123")
        #expect(try await !hasher.verify("Secret#124", against: hash))
        #expect(try await !hasher.verify("", against: hash))
        #expect(try await !hasher.verify("secret#123", against: hash))
    }

    @Test func hashesMadeByPythonVerify() async throws {
        for hash in [Self.python2b, Self.python2a, Self.php2y] {
            #expect(try await hasher.verify("Flask#Pass1", against: hash), "\(hash)")
            #expect(try await !hasher.verify("Flask#Pass2", against: hash), "\(hash)")
        }
    }

    @Test func sha512cryptVerifies() async throws {
        #expect(try await hasher.verify("Pass", against: Self.sha512crypt))
        #expect(try await !hasher.verify("pass", against: Self.sha512crypt))
    }

    @Test func needsRehashForWeakerOrOtherHashes() throws {
        let stronger = try BcryptHasher(cost: 5, threads: 1, queueLimit: 4)
        #expect(stronger.needsRehash(Self.python2b))
        #expect(!hasher.needsRehash(Self.python2b))
        #expect(hasher.needsRehash(Self.python2a))
        #expect(hasher.needsRehash(Self.php2y))
        #expect(hasher.needsRehash(Self.sha512crypt))
        let weaker = try BcryptHasher(cost: 4, threads: 1, queueLimit: 4)
        #expect(!weaker.needsRehash(stronger.dummyHash))
    }

    @Test func canVerifyRecognisesUsableHashes() async throws {
        #expect(hasher.canVerify(Self.python2b))
        #expect((hasher.canVerify(Self.python2a)))
        #expect((hasher.canVerify(Self.php2y)))
        #expect((hasher.canVerify(Self.sha512crypt)))
    }

    @Test func canVerifyRefusesNonHashes() async throws {
        #expect(!(hasher.canVerify("$2b$12$short")))
        #expect(!(hasher.canVerify("")))
        #expect(!(hasher.canVerify("$2b$99$" + String(repeating: "a", count: 53))))
        #expect(!(hasher.canVerify("nothash")))
        #expect(!(hasher.canVerify("plaintext-password")))
    }

    @Test func dummyHashIsWellFormedAndNeverVerifies() async throws {
        #expect(hasher.dummyHash.hasPrefix("$2b$04$"))
        #expect(hasher.dummyHash.utf8.count == 60)
        #expect((hasher.canVerify(hasher.dummyHash)))
        for password in ["", "Secret#123", "...............................", String(repeating: ".", count: 31)] {
            #expect(try await !hasher.verify(password, against: hasher.dummyHash))
        }
    }

    @Test func passwordWithNULNeverVerifies() async throws {
        let hash = try await hasher.hash("abc")
        #expect(try await hasher.verify("abc", against: hash))
        // crypt(3) would stop at the NUL and see "abc".
        #expect(try await !hasher.verify("abc\0def", against: hash))
    }

    @Test func costOutsideFourToThirtyOneIsRefused() {
        #expect(throws: AuthError.self) { try BcryptHasher(cost: 3, threads: 1, queueLimit: 1) }
        #expect(throws: AuthError.self) { try BcryptHasher(cost: 32, threads: 1, queueLimit: 1) }
    }

    @Test func overloadedHasherAnswersUnavailable() async throws {
        let slow = try BcryptHasher(cost: 10, threads: 1, queueLimit: 1)
        let outcomes = await withTaskGroup(of: AuthError?.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        _ = try await slow.hash("Secret#123")
                        return nil
                    } catch let error as AuthError {
                        return error
                    } catch {
                        return AuthError(.internal, "unexpected \(error)")
                    }
                }
            }
            var out: [AuthError?] = []
            for await outcome in group { out.append(outcome) }
            return out
        }
        let refused = outcomes.compactMap { $0 }
        #expect(refused.count >= 1)
        #expect(refused.count <= 4)
        #expect(refused.allSatisfy { $0.kind == .unavailable && $0.retryAfter == 1 })
    }

    /// `openssl passwd -crypt`-style DES and `openssl passwd -1` MD5 crypt forms.
    static let des = "abJnggxhB/yWI"
    static let md5 = "$1$abcdefgh$G//4keteveJbs4pFvyeSR0"

    @Test func anImportIsJudgedByItsFormWithoutComputingAHash() {
        let configured = try! BcryptHasher(cost: 12, threads: 1, queueLimit: 4)
        let flask = "$2b$12$" + String(Self.python2b.dropFirst(7))
        #expect(configured.importRefusal(flask) == nil)
        #expect(configured.importRefusal("$2b$14$" + String(Self.python2b.dropFirst(7))) == nil)
        #expect(configured.importRefusal("$2b$31$" + String(Self.python2b.dropFirst(7)))
                == "bcrypt cost 31 is above the import cap of 14.")
        #expect(configured.importRefusal(Self.sha512crypt) == nil)
        #expect(configured.importRefusal("$6$rounds=999999999$abcdefgh$" + String(Self.sha512crypt.split(separator: "$")[2]))?
                .hasPrefix("sha-crypt rounds=999999999 is above the import cap") == true)
        #expect(configured.importRefusal(Self.des) == "DES crypt is weak; it is imported only with --allow-weak-import yes.")
        #expect(configured.importRefusal(Self.md5) == "MD5 crypt is weak; it is imported only with --allow-weak-import yes.")
        #expect(configured.importRefusal("$y$j9T$abcdefghijkl$" + String(repeating: "A", count: 43)) == nil)
        #expect(configured.importRefusal("$y$jzT$abcdefghijkl$" + String(repeating: "A", count: 43)) != nil)
        #expect(configured.importRefusal("$3$$8846f7eaee8fb117ad06bdd830b7586c") != nil)
        // Deciding all this computed nothing.
        #expect(configured.computations == 0)
    }

    @Test func weakImportsAreTakenWhenAllowedAndTheCapCanBeRaised() {
        let lenient = try! BcryptHasher(cost: 12, threads: 1, queueLimit: 4,
                                        importForm: ImportedHashForm(configuredCost: 12, bcryptCostCap: 16, allowsWeak: true))
        #expect(lenient.importRefusal(Self.des) == nil)
        #expect(lenient.importRefusal(Self.md5) == nil)
        #expect(lenient.importRefusal("$2b$16$" + String(Self.python2b.dropFirst(7))) == nil)
        #expect(lenient.importRefusal("$2b$17$" + String(Self.python2b.dropFirst(7))) != nil)
        #expect(lenient.needsRehash(Self.des))
    }

    @Test func everyHashMadeOrCheckedIsCounted() async throws {
        let counted = try BcryptHasher(cost: 4, threads: 1, queueLimit: 4)
        let hash = try await counted.hash("Secret#123")
        _ = try await counted.verify("Secret#123", against: hash)
        #expect(counted.computations == 2)
    }
}
