#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One page of `users.list`.
public struct UserPage: Sendable {
    public var users: [User]
    /// The id to pass as `after_id` for the next page; nil exactly when no user follows.
    public var nextAfterID: Int64?
}

extension AuthService {
    public func getUser(id: Field<Int64>, token: Token, caller: Caller) async throws -> User {
        let principal = try await authenticate(token, caller)
        let id = try requireID(id)
        try authorize(principal, id)
        // A user reading themselves: authentication has just read them.
        if case .user(let me, _) = principal { return me.user }
        guard let found = try await store.user(id: id) else { throw AuthError.notFound }
        return found.user
    }

    public func listUsers(token: Token, limit: Field<Int64>, afterID: Field<Int64>, caller: Caller) async throws -> UserPage {
        _ = try await authenticate(token, caller)
        var errors = FieldErrors()
        let limit = limit.optional("limit", &errors) ?? 50
        let afterID = afterID.optional("after_id", &errors) ?? 0
        if !(1...500).contains(limit) { errors.add("limit", "Must be between 1 and 500.") }
        if afterID < 0 { errors.add("after_id", "Must be greater than or equal to 0.") }
        try errors.check()
        let page = try await store.list(afterID: afterID, limit: Int(limit))
        return UserPage(users: page.users, nextAfterID: page.more ? page.users.last?.id : nil)
    }

    public func updateUser(
        id: Field<Int64>, token: Token, username: Field<String>, email: Field<String>, password: Field<String>,
        caller: Caller
    ) async throws -> User {
        let principal = try await authenticate(token, caller)
        let id = try requireID(id)
        try authorize(principal, id)
        guard let current = try await store.user(id: id) else { throw AuthError.notFound }

        var errors = FieldErrors()
        let newName = username.optional("username", &errors)
        let newEmail = email.optional("email", &errors)
        let newPassword = password.optional("password", &errors)
        if let newName { errors.add("username", Validation.username(newName)) }
        if let newEmail { errors.add("email", Validation.email(newEmail)) }
        if let newPassword { errors.add("password", Validation.password(newPassword)) }
        try errors.check()
        if newName == nil && newEmail == nil && newPassword == nil { return current.user }

        try await checkUnique(username: newName, email: newEmail, except: id)
        var changes = UserChanges(username: newName, email: newEmail)
        if let newPassword {
            // Never the plain password: only its hash reaches the store, and every token
            // issued until now stops working.
            changes.passwordHash = try await hasher.hash(newPassword)
            changes.tokensValidAfter = now
        }
        guard let updated = try await store.update(id: id, changes) else { throw AuthError.notFound }
        let what = [newName.map { _ in "username" }, newEmail.map { _ in "email" }, newPassword.map { _ in "password" }]
        emit(.update, id, caller, what.compactMap { $0 }.joined(separator: ","))
        return updated
    }

    public func deleteUser(id: Field<Int64>, token: Token, caller: Caller) async throws {
        let principal = try await authenticate(token, caller)
        let id = try requireID(id)
        try authorize(principal, id)
        guard try await store.delete(id: id) else { throw AuthError.notFound }
        emit(.delete, id, caller)
    }

    /// Moves an existing account in with its hash, for example from the Flask app.
    public func importUser(
        username: Field<String>, email: Field<String>, passwordHash: Field<String>, createdAt: Field<Date>,
        token: Token, caller: Caller
    ) async throws -> User {
        let principal = try await authenticate(token, caller)
        guard case .privileged = principal else { throw AuthError.forbidden }
        var errors = FieldErrors()
        let username = username.required("username", &errors)
        let email = email.required("email", &errors)
        let hash = passwordHash.required("password_hash", &errors)
        let created = createdAt.optional("created_at", &errors)
        if let username { errors.add("username", Validation.username(username)) }
        if let email { errors.add("email", Validation.email(email)) }
        if let hash, !(try await hasher.canVerify(hash)) { errors.add("password_hash", "Not a password hash this system can verify.") }
        try errors.check()
        try await checkUnique(username: username, email: email)
        let user = try await store.create(NewUser(username: username!, email: email!, passwordHash: hash!, createdAt: created ?? clock()))
        emit(.import, user.id, caller)
        return user
    }
}

extension AuthService {
    /// An account's failed logins (privileged peers only).
    public func lockout(id: Field<Int64>, token: Token, caller: Caller) async throws -> ThrottleState {
        let principal = try await authenticate(token, caller)
        guard case .privileged = principal else { throw AuthError.forbidden }
        let id = try requireID(id)
        guard try await store.user(id: id) != nil else { throw AuthError.notFound }
        return try await store.throttleState(.account(id)) ?? ThrottleState(failures: 0, lockedUntil: 0)
    }

    /// Forgets an account's failed logins, lifting a lockout at once (privileged peers only).
    public func unlock(id: Field<Int64>, token: Token, caller: Caller) async throws {
        let principal = try await authenticate(token, caller)
        guard case .privileged = principal else { throw AuthError.forbidden }
        let id = try requireID(id)
        guard try await store.user(id: id) != nil else { throw AuthError.notFound }
        try await store.clearFailures(.account(id))
        emit(.unlock, id, caller)
    }

    /// The current time as the throttle sees it, for callers that report lock times.
    public var currentTime: Int64 { now }
}
