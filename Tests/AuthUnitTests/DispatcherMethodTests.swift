import AuthCore
import AuthCrypto
import AuthInterface
import AuthJSON
import Foundation
import Testing
@testable import AuthDaemon

/// Each method's rows of the contract's error table, and the check order.
@Suite struct DispatcherMethodTests {
    typealias H = DispatcherHarness

    @Test func usersGetWithoutTokenIsUnauthenticatedForUnprivileged() async throws {
        let h = try await H()
        let id = try await h.register("alice")
        let e = try await h.error("users.get", ["id": .int(id)])
        #expect(e.code == -32001)
        #expect(e.status == 401)
    }

    @Test func usersGetWithTokenForAnotherUserIsForbidden() async throws {
        let h = try await H()
        try await h.register("alice")
        let bob = try await h.register("bob")
        let token = try await h.login("alice")
        #expect(try await h.error("users.get", ["id": .int(bob), "token": .string(token)]).code == -32003)
    }

    @Test func usersGetOwnUserReturnsTheUserWithoutSecrets() async throws {
        let h = try await H()
        let id = try await h.register("alice", "Alice@Example.com")
        let token = try await h.login("alice")
        let user = try await h.result("users.get", ["id": .int(id), "token": .string(token)])
        #expect(Set(try #require(user.object).keys) == ["id", "username", "email", "created_at"])
        #expect(user["username"] == "alice")
        #expect(user["email"] == "Alice@Example.com")
    }

    @Test func privilegedPeersMayNameTheUserByUsernameOrEmail() async throws {
        let h = try await H()
        let id = try await h.register("alice", "Alice@Example.com")
        #expect(try await h.result("users.get", ["username": "ALICE"], caller: H.root)["id"] == .int(id))
        #expect(try await h.result("users.get", ["email": "alice@example.com"], caller: H.root)["id"] == .int(id))
        // The id, when given, decides; then the username, as at login.
        #expect(try await h.error("users.get", ["id": 999, "username": "alice"], caller: H.root).code == -32004)
        #expect(try await h.error("users.get", ["username": "nobody", "email": "alice@example.com"], caller: H.root).code == -32004)
        #expect(try await h.error("users.get", ["email": 5], caller: H.root).fields == ["email": [Validation.notString]])
        #expect(try await h.error("users.get", [:], caller: H.root).fields == ["id": [Validation.missing]])
        // Anyone else needs the id, even for themselves.
        let token = try await h.login("alice")
        #expect(try await h.error("users.get", ["username": "alice", "token": .string(token)]).fields == ["id": [Validation.missing]])
        #expect(try await h.error("users.get", ["username": "alice"]).code == -32001)
    }

    @Test func privilegedCallerOnAMissingIDGetsNotFound() async throws {
        let h = try await H()
        let e = try await h.error("users.get", ["id": 999], caller: H.root)
        #expect(e.code == -32004)
        #expect(e.status == 404)
    }

    @Test func badTokenIsUnauthenticatedEvenForPrivileged() async throws {
        let h = try await H()
        let id = try await h.register("alice")
        #expect(try await h.error("users.get", ["id": .int(id), "token": "junk"], caller: H.root).code == -32001)
        #expect(try await h.error("users.get", ["id": .int(id), "token": 5], caller: H.root).code == -32001)
    }

    @Test func aTokenFromThePrivilegedGatewayActsOnlyAsItsUser() async throws {
        // Contract section 5: the gateway's group speaks for web clients, never for an
        // administrator, even when the peer is also privileged.
        let h = try await H()
        let alice = try await h.register("alice")
        let bob = try await h.register("bob")
        let token = try await h.login("alice")
        let gateway = Caller(uid: 999, isPrivileged: true, isGateway: true)
        let onBob: [String: JSON] = ["id": .int(bob), "token": .string(token)]
        #expect(try await h.error("users.get", onBob, caller: gateway).code == -32003)
        #expect(try await h.error("users.update", onBob.merging(["email": "x@example.com"]) { a, _ in a }, caller: gateway).code == -32003)
        #expect(try await h.error("users.delete", onBob, caller: gateway).code == -32003)
        #expect(try await h.error("users.lockout", onBob, caller: gateway).code == -32003)
        #expect(try await h.result("users.get", ["id": .int(alice), "token": .string(token)], caller: gateway)["id"] == .int(alice))
        // Any other privileged peer stays privileged when it passes a token.
        #expect(try await h.result("users.get", onBob, caller: H.root)["id"] == .int(bob))
    }

    @Test func invalidRegistrationListsEveryField() async throws {
        let h = try await H()
        let e = try await h.error("auth.register", ["username": "_x", "email": "nope", "password": "short"])
        #expect(e.code == -32602)
        #expect(e.status == 400)
        #expect(e.fields == [
            "username": [Validation.usernameLength, Validation.usernameCharacters],
            "email": [Validation.emailInvalid],
            "password": [Validation.passwordLength, Validation.passwordUpper, Validation.passwordDigit, Validation.passwordSpecial],
        ])
        let missing = try await h.error("auth.register", ["username": 5])
        #expect(missing.fields == ["username": [Validation.notString], "email": [Validation.missing], "password": [Validation.missing]])
    }

    @Test func duplicateUsernameOrEmailIsAConflict() async throws {
        let h = try await H()
        try await h.register("alice", "alice@example.com")
        let byName = try await h.error("auth.register", ["username": "ALICE", "email": "other@example.com", "password": "Secret#123"])
        #expect(byName.code == -32009)
        #expect(byName.status == 409)
        #expect(byName.data["field"] == "username")
        let byEmail = try await h.error("auth.register", ["username": "carol", "email": "Alice@EXAMPLE.com", "password": "Secret#123"])
        #expect(byEmail.data["field"] == "email")
        let both = try await h.error("auth.register", ["username": "Alice", "email": "ALICE@example.com", "password": "Secret#123"])
        #expect(both.data["field"] == "username")
    }

    @Test func importIsForPrivilegedPeersOnly() async throws {
        let h = try await H()
        try await h.register("alice")
        let token = try await h.login("alice")
        let e = try await h.error("users.import", [
            "username": "bob", "email": "bob@example.com", "password_hash": .string(PasswordTests.python2b), "token": .string(token),
        ])
        #expect(e.code == -32003)
    }

    @Test func importRefusesAHashThatCannotBeVerified() async throws {
        let h = try await H()
        let e = try await h.error("users.import", ["username": "bob", "email": "bob@example.com", "password_hash": "nothash"], caller: H.root)
        #expect(e.code == -32602)
        #expect(e.fields == ["password_hash": ["Not a password hash this system can verify."]])
    }

    @Test func importedFlaskUserLogsIn() async throws {
        let h = try await H()
        let user = try await h.result("users.import", [
            "username": "flask", "email": "flask@example.com", "password_hash": .string(PasswordTests.python2b),
            "created_at": "2020-01-02T03:04:05.123456",
        ], caller: H.root)
        #expect(user["created_at"] == "2020-01-02T03:04:05Z")
        let token = try await h.login("flask", password: "Flask#Pass1")
        #expect(try await h.isActive(token))
    }

    @Test func updateWithBadTokenAndInvalidFieldsIsUnauthenticated() async throws {
        let h = try await H()
        let id = try await h.register("alice")
        let e = try await h.error("users.update", ["id": .int(id), "token": "bad.token.here", "email": "invalid"])
        #expect(e.code == -32001)
    }

    @Test func updateOfAnotherUserWithInvalidFieldsIsForbidden() async throws {
        let h = try await H()
        try await h.register("alice")
        let bob = try await h.register("bob")
        let token = try await h.login("alice")
        let e = try await h.error("users.update", ["id": .int(bob), "token": .string(token), "email": "invalid", "password": "x"])
        #expect(e.code == -32003)
    }

    @Test func updateValidatesAfterExistenceAndConflictsLast() async throws {
        let h = try await H()
        try await h.register("alice")
        let bob = try await h.register("bob")
        #expect(try await h.error("users.update", ["id": 999, "email": "invalid"], caller: H.root).code == -32004)
        let invalid = try await h.error("users.update", ["id": .int(bob), "email": "invalid", "username": "Alice"], caller: H.root)
        #expect(invalid.code == -32602)
        #expect(invalid.fields == ["email": [Validation.emailInvalid]])
        let clash = try await h.error("users.update", ["id": .int(bob), "username": "ALICE"], caller: H.root)
        #expect(clash.code == -32009)
        #expect(clash.data["field"] == "username")
        let same = try await h.result("users.update", ["id": .int(bob), "username": "BOB"], caller: H.root)
        #expect(same["username"] == "BOB")
    }

    @Test func listLimitMustBe1To500() async throws {
        let h = try await H()
        for limit: JSON in [0, 501, -1] {
            let e = try await h.error("users.list", ["limit": limit], caller: H.root)
            #expect(e.code == -32602)
            #expect(e.fields?["limit"] == ["Must be between 1 and 500."])
        }
        #expect(try await h.result("users.list", ["limit": 500], caller: H.root)["users"] == [])
        #expect(try await h.error("users.list").code == -32001)
    }

    @Test func listPagesAndNextAfterIDIsNullAtTheEnd() async throws {
        let h = try await H()
        let ids = [try await h.register("alice"), try await h.register("bob"), try await h.register("carol")]
        let token = try await h.login("bob")
        let first = try await h.result("users.list", ["limit": 2, "token": .string(token)])
        #expect(first["users"]?.array?.compactMap { $0["id"]?.int64 } == Array(ids[0..<2]))
        #expect(first["next_after_id"] == .int(ids[1]))
        let second = try await h.result("users.list", ["limit": 2, "after_id": .int(ids[1]), "token": .string(token)])
        #expect(second["users"]?.array?.compactMap { $0["id"]?.int64 } == [ids[2]])
        #expect(second["next_after_id"] == .null)
        let exact = try await h.result("users.list", ["limit": 3], caller: H.root)
        #expect(exact["users"]?.array?.count == 3)
        #expect(exact["next_after_id"] == .null)
        let fromMiddle = try await h.result("users.list", ["limit": 1, "after_id": .int(ids[0])], caller: H.root)
        #expect(fromMiddle["next_after_id"] == .int(ids[1]))
    }

    @Test func loginReturnsABearerTokenThatVerifies() async throws {
        let h = try await H()
        let id = try await h.register("alice", "alice@example.com")
        let r = try await h.result("auth.login", ["email": "ALICE@example.com", "password": "Secret#123"])
        #expect(r["token_type"] == "Bearer")
        #expect(r["expires_in"] == 3600)
        #expect(r["user"]?["id"] == .int(id))
        let token = try #require(r["access_token"]?.string)
        let v = try await h.result("auth.verify", ["token": .string(token)])
        #expect(v["active"] == true)
        #expect(v["user"]?["username"] == "alice")
        #expect(v["claims"]?["sub"] == .string(String(id)))
        #expect(v["claims"]?["type"] == "access")
        #expect(v["claims"]?["fresh"] == true)
        let exp = try #require(v["claims"]?["exp"]?.int64), iat = try #require(v["claims"]?["iat"]?.int64)
        #expect(exp - iat == 3600)
    }

    /// A token check that memory can answer is answered as the line is read, with no
    /// task, and says exactly what the full path says, before and after a logout.
    @Test func aRememberedTokenCheckIsAnsweredAtOnceAndTheSame() async throws {
        let h = try await H()
        try await h.register("alice")
        let token = try await h.login("alice")
        let line = RPCRequest(id: 5, method: "auth.verify", params: ["token": .string(token)]).json.serialized()
        func prepared() -> RPCDispatcher.Prepared { line.withUnsafeBufferPointer { h.dispatcher.prepare($0, caller: H.user) } }
        let full = try #require(await h.dispatcher.handle(line, caller: H.user))
        guard case .answered(let first?) = prepared() else { Issue.record("not answered from memory"); return }
        #expect(first == full)
        #expect(try JSONParser.parse(first)["result"]?["active"] == true)
        // Other methods, notifications and bad params still take the full path.
        for other in [RPCRequest(id: 6, method: "users.get", params: ["token": .string(token), "id": 1]),
                      RPCRequest(id: nil, method: "auth.verify", params: ["token": .string(token)]),
                      RPCRequest(id: 7, method: "auth.verify", params: ["token": 5])] {
            let text = other.json.serialized()
            guard case .parsed = text.withUnsafeBufferPointer({ h.dispatcher.prepare($0, caller: H.user) }) else {
                Issue.record("\(other.method) answered early"); continue
            }
        }
        _ = try await h.result("auth.logout", ["token": .string(token)])
        guard case .answered(let after?) = prepared() else { Issue.record("not answered from memory after logout"); return }
        #expect(try JSONParser.parse(after)["result"] == ["active": false, "reason": "revoked"])
        #expect(after == (try #require(await h.dispatcher.handle(line, caller: H.user))))
        #expect(try await h.isActive(token) == false)
    }

    /// An inactive token says why, and the inline path (`prepare`) says what the full path says.
    @Test func anInactiveTokenSaysWhyOnBothPaths() async throws {
        let h = try await H()
        let id = try await h.register("alice")
        let codec = try HS256Codec(secret: Array(repeating: 0x61, count: 32))
        let now = Int64(Date().timeIntervalSince1970)
        func minted(_ sub: String, exp: Int64) -> String {
            codec.encode(AccessClaims(sub: sub, jti: UUID().uuidString, fresh: .flag(true), iat: now - 7200, nbf: now - 7200, exp: exp))
        }
        let revoked = try await h.login("alice")
        _ = try await h.result("auth.logout", ["token": .string(revoked)])
        let cases = [(minted(String(id), exp: now - 60), "expired"), (revoked, "revoked"), ("not.a.token", "invalid"),
                     (minted("999", exp: now + 3600), "no_user")]
        for (token, reason) in cases {
            let request = RPCRequest(id: 1, method: "auth.verify", params: ["token": .string(token)])
            let expected: JSON = ["active": false, "reason": .string(reason)]
            #expect(try await h.dispatcher.call(request, caller: H.user).get() == expected, "\(reason)")
            let line = request.json.serialized()
            guard case .answered(let early?) = line.withUnsafeBufferPointer({ h.dispatcher.prepare($0, caller: H.user) }) else {
                Issue.record("\(reason) not answered from memory"); continue
            }
            #expect(try JSONParser.parse(early)["result"] == expected, "\(reason)")
        }
    }

    @Test func badCredentialsLookTheSameForUnknownUsers() async throws {
        let h = try await H()
        try await h.register("alice")
        let wrong = try await h.error("auth.login", ["username": "alice", "password": "Wrong#123"])
        let unknown = try await h.error("auth.login", ["username": "nobody", "password": "Wrong#123"])
        #expect(wrong.code == -32001)
        #expect(wrong == unknown)
        #expect(try await h.error("auth.login", ["username": "alice"]).code == -32602)
        #expect(try await h.error("auth.verify").fields == ["token": [Validation.missing]])
    }

    /// Contract §8: the user's own change needs current_password and keeps the caller's session only.
    @Test func ownPasswordChangeNeedsTheCurrentOneAndRevokesTheOtherSessions() async throws {
        let h = try await H()
        let id = try await h.register("alice")
        let mine = try await h.login("alice")
        let old = try await h.login("alice")
        #expect(try await h.isActive(old))
        let missing = try await h.error("users.update", ["id": .int(id), "token": .string(mine), "password": "Changed#456"])
        #expect(missing.code == -32602)
        #expect(missing.fields == ["current_password": [Validation.missing]])
        _ = try await h.result("users.update", ["id": .int(id), "token": .string(mine), "password": "Changed#456",
                                                "current_password": "Secret#123"])
        #expect(try await h.isActive(mine))
        #expect(try await !h.isActive(old))
        #expect(try await h.error("users.get", ["id": .int(id), "token": .string(old)]).code == -32001)
        #expect(try await h.error("auth.login", ["username": "alice", "password": "Secret#123"]).code == -32001)
        let fresh = try await h.login("alice", password: "Changed#456") // waits out the second of the change
        #expect(try await h.isActive(fresh))
    }

    /// A `current_password` of the wrong type is refused even when no change needs it
    /// (Schemathesis found a 200 for `PATCH` with an integer and nothing to change).
    @Test func aCurrentPasswordOfTheWrongTypeIsRefusedEvenWhenNotNeeded() async throws {
        let h = try await H()
        let id = try await h.register("alice")
        let mine = try await h.login("alice")
        for (method, caller) in [("users.update", H.user), ("users.delete", H.user), ("users.update", H.root),
                                 ("users.delete", H.root)] {
            var params: [String: JSON] = ["id": .int(id), "current_password": 5]
            if !caller.isPrivileged { params["token"] = .string(mine) }
            let refused = try await h.error(method, params, caller: caller)
            #expect(refused.code == -32602, "\(method)")
            #expect(refused.fields?.keys.sorted() == ["current_password"], "\(method)")
        }
        #expect(try await h.isActive(mine))
    }

    @Test func logoutAndDeleteEndTokens() async throws {
        let h = try await H()
        let id = try await h.register("alice")
        let first = try await h.login("alice")
        #expect(try await h.result("auth.logout", ["token": .string(first)]) == ["revoked": true, "sessions": 1])
        #expect(try await !h.isActive(first))
        #expect(try await h.error("auth.logout", ["token": .string(first)]).code == -32001)
        let second = try await h.login("alice")
        #expect(try await h.result("users.delete", ["id": .int(id), "token": .string(second)]) == ["deleted": true])
        #expect(try await !h.isActive(second))
        #expect(try await h.error("users.delete", ["id": .int(id)], caller: H.root).code == -32004)
    }
}
