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

    /// How many users a page may hold, and how many when the caller does not say;
    /// the interface's declaration and clients read them from here.
    public static let sizes: ClosedRange<Int64> = 1...500
    public static let defaultSize: Int64 = 50
}

extension AuthService {
    public func getUser(
        id: Field<Int64>, username: Field<String>, email: Field<String>, token: Token, caller: Caller
    ) async throws -> User {
        let principal = try await authenticate(token, caller)
        // Privileged peers may name the user instead (username first, as at login);
        // everyone else needs the id, so a name tells them nothing.
        if case .privileged = principal, id.isAbsent, !(username.isAbsent && email.isAbsent) {
            var errors = FieldErrors()
            let name = username.read(&errors)
            let address = name == nil ? email.read(&errors) : nil
            try errors.check()
            let found = if let name { try await store.user(username: name) } else { try await store.user(email: address!) }
            guard let found else { throw AuthError.notFound }
            return found.user
        }
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
        let size = limit.read(&errors) ?? UserPage.defaultSize
        let after = afterID.read(&errors) ?? 0
        if !UserPage.sizes.contains(size) {
            errors.add(limit.name, "Must be between \(UserPage.sizes.lowerBound) and \(UserPage.sizes.upperBound).")
        }
        if after < 0 { errors.add(afterID.name, "Must be greater than or equal to 0.") }
        try errors.check()
        let page = try await store.list(afterID: after, limit: Int(size))
        return UserPage(users: page.users, nextAfterID: page.more ? page.users.last?.id : nil)
    }

    public func updateUser(
        id: Field<Int64>, token: Token, username: Field<String>, email: Field<String>, password: Field<String>,
        currentPassword: Field<String>, client: Field<String>, caller: Caller
    ) async throws -> User {
        let principal = try await authenticate(token, caller)
        let id = try requireID(id)
        try authorize(principal, id)
        guard let current = try await store.user(id: id) else { throw AuthError.notFound }

        var errors = FieldErrors()
        let (newName, newEmail, newPassword) = Validation.account(username, email, password, &errors)
        let proof = reauthentication(principal, currentPassword, password: newPassword != nil, other: newEmail != nil, &errors)
        let clientAddress = client.read(&errors)
        try errors.check()
        if newName == nil && newEmail == nil && newPassword == nil { return current.user }
        if let proof { try await checkCurrentPassword(current, proof, currentPassword.name, client: clientAddress, caller: caller) }

        try await checkUnique(username, email, except: id)
        var changes = UserChanges(username: newName, email: newEmail)
        // The user changing their own password keeps the session that made the change;
        // a privileged change (or a token without a session) ends every one.
        let keeping: String? = if case .user(_, let claims) = principal { claims.sid } else { nil }
        if let newPassword {
            // Never the plain password: only its hash reaches the store, and every token
            // issued until now (but the caller's session's) stops working.
            changes.passwordHash = try await hasher.hash(newPassword)
            if keeping == nil { changes.tokensValidAfter = now }
        }
        guard let updated = try await store.update(id: id, changes) else { throw AuthError.notFound }
        if newPassword != nil {
            if let keeping {
                let ended = try await store.endSessions(userID: id, keeping: keeping, reason: .password, cutUnboundAt: now,
                                                        now: nowMilliseconds)
                if ended > 0 { sessionActivity(.ended(.password, count: ended)) }
            } else {
                try await endSessionsAfterPasswordChange(id)
            }
        }
        let what = [newName.map { _ in username.name }, newEmail.map { _ in email.name }, newPassword.map { _ in password.name }]
        emit(.update, id, caller, what.compactMap { $0 }.joined(separator: ","))
        return updated
    }

    public func deleteUser(id: Field<Int64>, token: Token, currentPassword: Field<String>, client: Field<String>,
                           caller: Caller) async throws {
        let principal = try await authenticate(token, caller)
        let id = try requireID(id)
        try authorize(principal, id)
        var errors = FieldErrors()
        let proof = reauthentication(principal, currentPassword, password: false, other: true, &errors)
        let clientAddress = client.read(&errors)
        try errors.check()
        if case .user(let me, _) = principal {
            if let proof { try await checkCurrentPassword(me, proof, currentPassword.name, client: clientAddress, caller: caller) }
        } else if try await store.user(id: id) == nil {
            throw AuthError.notFound
        }
        guard try await store.delete(id: id) else { throw AuthError.notFound }
        emit(.delete, id, caller)
    }

    /// What a user acting on themself must prove (contract §8): a password change needs
    /// `current_password`; an email change or deletion needs it or a fresh token. Returns
    /// the password to check (after the other fields validate), nil when none is needed;
    /// a missing one is recorded with the other fields' errors. Privileged peers need none,
    /// but a `current_password` that is given is always checked for its type.
    func reauthentication(_ principal: Principal, _ currentPassword: Field<String>, password: Bool, other: Bool,
                          _ errors: inout FieldErrors) -> String? {
        let given = currentPassword.read(&errors)
        guard case .user(_, let claims) = principal, password || other else { return nil }
        if given == nil && !password && isFresh(claims) { return nil }
        if given == nil && currentPassword.isAbsent { errors.add(currentPassword.name, Validation.missing) }
        return given
    }

    /// Users with their hashes, by id, for `authctl user export` (privileged peers only).
    public func exportUsers(token: Token, limit: Field<Int64>, afterID: Field<Int64>, caller: Caller) async throws -> ExportPage {
        try await authorizeImport(token, caller)
        var errors = FieldErrors()
        let size = limit.read(&errors) ?? Int64(ExportPage.maximumSize)
        let after = afterID.read(&errors) ?? 0
        if !(1...Int64(ExportPage.maximumSize)).contains(size) {
            errors.add(limit.name, "Must be between 1 and \(ExportPage.maximumSize).")
        }
        if after < 0 { errors.add(afterID.name, "Must be greater than or equal to 0.") }
        try errors.check()
        let page = try await store.storedUsers(afterID: after, limit: Int(size))
        var moved: [Int64: MovedFactor] = [:]
        if let first = page.users.first, let last = page.users.last {
            // The secrets leave sealed for transfer, under the same key: nothing is silently dropped.
            for (id, factor) in try await store.factors(ofUsers: first.user.id...last.user.id) {
                let codec = try factorCodec()
                guard let secret = codec.open(factor.sealed, userID: id) else {
                    throw AuthError(.internal, "the TOTP secret of user \(id) does not open under the MFA key")
                }
                moved[id] = MovedFactor(sealed: codec.sealForTransfer(secret), recoveryHashes: factor.recoveryHashes)
            }
            emit(.export, last.user.id, caller, "\(page.users.count) users from id \(first.user.id)")
        }
        return ExportPage(users: page.users, nextAfterID: page.more ? page.users.last?.user.id : nil, factors: moved)
    }

    /// Moves an existing account in with its hash, for example from the Flask app.
    public func importUser(_ row: ImportFields, options: ImportOptions, token: Token, caller: Caller) async throws -> User {
        try await authorizeImport(token, caller)
        var errors = FieldErrors()
        let skip = options.skipExisting.read(&errors) ?? false
        let dryRun = options.dryRun.read(&errors) ?? false
        try errors.check()
        switch try await importRows([row], skipExisting: skip, dryRun: dryRun, caller: caller)[0] {
        case .imported(let user), .skipped(let user): return user
        case .refused(let error): throw error
        }
    }

    /// Moves up to `ImportFields.batchLimit` accounts in, in one transaction: each row is
    /// judged alone (its validation, its hash's form, its clashes), in the rows' order.
    /// The single form's fields (`single`) may not come with them.
    public func importUsers(_ rows: Field<[ImportFields]>, alongside single: ImportFields, options: ImportOptions,
                            token: Token, caller: Caller) async throws -> [ImportOutcome] {
        try await authorizeImport(token, caller)
        var errors = FieldErrors()
        let skip = options.skipExisting.read(&errors) ?? false
        let dryRun = options.dryRun.read(&errors) ?? false
        let given = rows.read(&errors) ?? []
        if given.count > ImportFields.batchLimit { errors.add(rows.name, Validation.tooManyRows(ImportFields.batchLimit)) }
        for name in single.presentNames { errors.add(name, Validation.notWithUsers) }
        try errors.check()
        return try await importRows(given, skipExisting: skip, dryRun: dryRun, caller: caller)
    }

    private func authorizeImport(_ token: Token, _ caller: Caller) async throws {
        let principal = try await authenticate(token, caller)
        guard case .privileged = principal else { throw AuthError.forbidden }
    }

    /// No hash is computed: a hash is accepted on its form.
    private func importRows(_ rows: [ImportFields], skipExisting: Bool, dryRun: Bool, caller: Caller) async throws -> [ImportOutcome] {
        var outcomes = [ImportOutcome?](repeating: nil, count: rows.count)
        var valid: [(index: Int, user: NewUser)] = []
        for (index, row) in rows.enumerated() {
            do {
                valid.append((index, try validated(row)))
            } catch let error as AuthError {
                outcomes[index] = .refused(error)
            }
        }
        let stored = valid.isEmpty ? [] : try await store.importUsers(valid.map(\.user), skipExisting: skipExisting, dryRun: dryRun)
        for (row, outcome) in zip(valid, stored) {
            outcomes[row.index] = outcome
            if case .imported(let user) = outcome, !dryRun { emit(.import, user.id, caller) }
        }
        return outcomes.map { $0! }
    }

    private func validated(_ row: ImportFields) throws -> NewUser {
        var errors = FieldErrors()
        let name = row.username.requiring.read(&errors)
        let address = row.email.requiring.read(&errors)
        let hash = row.passwordHash.requiring.read(&errors)
        let created = row.createdAt.read(&errors)
        let id = row.id.read(&errors)
        let groups = row.groups.read(&errors) ?? []
        let disabledAt = row.disabledAt.read(&errors)
        let disabledReason = row.disabledReason.read(&errors)
        let factor = importedFactor(row, id: id, &errors)
        errors.add(row.groups.name, Self.groupsRefusal(groups))
        if let disabledReason {
            if disabledReason.count > Self.reasonLength {
                errors.add(row.disabledReason.name, "Longer than maximum length \(Self.reasonLength).")
            } else if disabledAt == nil {
                errors.add(row.disabledReason.name, "Only with \(row.disabledAt.name).")
            }
        }
        if let name { errors.add(row.username.name, Validation.username(name)) }
        if let address { errors.add(row.email.name, Validation.email(address)) }
        if let hash, let refusal = hasher.importRefusal(hash) { errors.add(row.passwordHash.name, refusal) }
        if let id, id < 1 { errors.add(row.id.name, Validation.positiveID) }
        try errors.check()
        return NewUser(username: name!, email: address!, passwordHash: hash!, createdAt: created ?? clock(), id: id,
                       groups: Array(Set(groups)).sorted(), disabledAt: disabledAt.map { Int64($0.timeIntervalSince1970.rounded(.down)) },
                       disabledReason: disabledReason, factor: factor)
    }

    /// A row's TOTP factor, sealed again for its id: only with the row's id (the factor
    /// moves with its user), and only where the export's MFA key is set.
    private func importedFactor(_ row: ImportFields, id: Int64?, _ errors: inout FieldErrors) -> MovedFactor? {
        let sealed = row.totpSecret.read(&errors)
        let hashes = row.recoveryCodeHashes.read(&errors) ?? []
        guard let sealed else {
            if !hashes.isEmpty { errors.add(row.recoveryCodeHashes.name, "Only with \(row.totpSecret.name).") }
            return nil
        }
        if hashes.count > 10 || !hashes.allSatisfy({ $0.utf8.count == 64 && $0.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) } }) {
            errors.add(row.recoveryCodeHashes.name, "At most 10 recovery code hashes of 64 lowercase hex digits, as users.export writes them.")
        }
        guard let id else {
            errors.add(row.totpSecret.name, "Needs the row's \(row.id.name): a TOTP factor moves with its user's id.")
            return nil
        }
        guard let codec = factors, let secret = codec.openTransferred(sealed) else {
            errors.add(row.totpSecret.name, "Does not open under this daemon's MFA key: import where the exporting daemon's key is set.")
            return nil
        }
        return MovedFactor(sealed: codec.seal(secret, userID: id), recoveryHashes: hashes, lastStep: codec.step(at: now))
    }
}

/// One page of `users.export`: users with their hashes.
public struct ExportPage: Sendable {
    public static let maximumSize = 1000
    public var users: [StoredUser]
    /// As in `UserPage`.
    public var nextAfterID: Int64?
    /// The users' confirmed TOTP factors, sealed for transfer, by id.
    public var factors: [Int64: MovedFactor] = [:]
}

/// How `users.import` treats its rows.
public struct ImportOptions: Sendable {
    public var skipExisting: Field<Bool>
    /// Answer as the import would, and import nothing.
    public var dryRun: Field<Bool>

    public init(skipExisting: Field<Bool>, dryRun: Field<Bool>) {
        self.skipExisting = skipExisting
        self.dryRun = dryRun
    }
}

/// One row of `users.import`, as the transport read it.
public struct ImportFields: Sendable {
    /// The most rows one call may import.
    public static let batchLimit = 1000

    public var username: Field<String>
    public var email: Field<String>
    public var passwordHash: Field<String>
    public var createdAt: Field<Date>
    public var id: Field<Int64>
    /// What else a user has (contract §10): export writes it and import takes it back.
    public var groups: Field<[String]>
    public var disabledAt: Field<Date>
    public var disabledReason: Field<String>
    /// The TOTP factor as `users.export` writes it.
    public var totpSecret: Field<String>
    public var recoveryCodeHashes: Field<[String]>

    public init(username: Field<String>, email: Field<String>, passwordHash: Field<String>, createdAt: Field<Date>, id: Field<Int64>,
                groups: Field<[String]>, disabledAt: Field<Date>, disabledReason: Field<String>, totpSecret: Field<String>,
                recoveryCodeHashes: Field<[String]>) {
        self.totpSecret = totpSecret
        self.recoveryCodeHashes = recoveryCodeHashes
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.id = id
        self.groups = groups
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
    }

    /// The names of the fields the request holds, in the contract's order.
    var presentNames: [String] {
        [(username.name, username.isAbsent), (email.name, email.isAbsent), (passwordHash.name, passwordHash.isAbsent),
         (createdAt.name, createdAt.isAbsent), (id.name, id.isAbsent), (groups.name, groups.isAbsent),
         (disabledAt.name, disabledAt.isAbsent), (disabledReason.name, disabledReason.isAbsent), (totpSecret.name, totpSecret.isAbsent),
         (recoveryCodeHashes.name, recoveryCodeHashes.isAbsent)].filter { !$0.1 }.map(\.0)
    }
}

extension AuthService {
    /// An account's failed logins (privileged peers only).
    public func lockout(id: Field<Int64>, token: Token, caller: Caller) async throws -> ThrottleState {
        let principal = try await authenticate(token, caller)
        guard case .privileged = principal else { throw AuthError.forbidden }
        let id = try requireID(id)
        guard try await store.user(id: id) != nil else { throw AuthError.notFound }
        return try await store.throttleState(account: id, now: now)
    }

    /// Forgets an account's failed logins, lifting a lockout at once (privileged peers only).
    public func unlock(id: Field<Int64>, token: Token, caller: Caller) async throws {
        let principal = try await authenticate(token, caller)
        guard case .privileged = principal else { throw AuthError.forbidden }
        let id = try requireID(id)
        guard try await store.user(id: id) != nil else { throw AuthError.notFound }
        try await store.clearFailures(account: id)
        emit(.unlock, id, caller)
    }

    /// The current time as the throttle sees it, for callers that report lock times.
    public var currentTime: Int64 { now }
}
