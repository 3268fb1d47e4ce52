#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AuthCore
import AuthInterface
import AuthJSON
import AuthThreads

extension RPCDispatcher {
    /// `auth.verify`'s result. Built from literals: no allocation beyond the answer's own
    /// on the inline path (`prepare`).
    static func verifyResult(_ status: TokenStatus) -> JSON {
        switch status {
        case .active(let v):
            if let session = v.session {
                [ResultKey.active.rawValue: true,
                 ResultKey.claims.rawValue: v.claims.type == "session" ? v.claims.sessionTokenJSON : v.claims.json,
                 ResultKey.groups.rawValue: .array(v.groups.map { .string($0) }),
                 ResultKey.session.rawValue: [ResultKey.amr.rawValue: .array(session.amr.map { .string($0) }),
                                              ResultKey.expiresAt.rawValue: .string(RFC3339.format(milliseconds: session.expiresAt)),
                                              ResultKey.id.rawValue: .string(session.id)],
                 ResultKey.user.rawValue: v.user.json]
            } else {
                [ResultKey.active.rawValue: true, ResultKey.claims.rawValue: v.claims.json,
                 ResultKey.groups.rawValue: .array(v.groups.map { .string($0) }), ResultKey.user.rawValue: v.user.json]
            }
        case .inactive(let reason):
            [ResultKey.active.rawValue: false, ResultKey.reason.rawValue: .string(reason.rawValue)]
        }
    }

    /// `users.status`'s result (contract §8).
    static func statusResult(_ s: AccountStatus) -> JSON {
        let time = { (seconds: Int64?) -> JSON in
            seconds.map { .string(RFC3339.format(Date(timeIntervalSince1970: TimeInterval($0)))) } ?? .null
        }
        return [ResultKey.disabled.rawValue: .bool(s.user.isDisabled), ResultKey.disabledAt.rawValue: time(s.user.disabledAt),
                ResultKey.disabledReason.rawValue: s.user.disabledReason.map { .string($0) } ?? .null,
                ResultKey.groups.rawValue: .array(s.user.groups.map { .string($0) }), ResultKey.lastLoginAt.rawValue: time(s.lastLoginAt),
                ResultKey.lockedUntil.rawValue: time(s.lockedUntil), ResultKey.mfa.rawValue: .array(s.mfa.map { .string($0) }),
                ResultKey.sessions.rawValue: .int(Int64(s.sessions)), ResultKey.user.rawValue: s.user.user.json]
    }

    /// One row of `users.import`, single or within `users`.
    static func importFields(_ p: Params) -> ImportFields {
        ImportFields(username: p.string(.username), email: p.string(.email), passwordHash: p.string(.passwordHash),
                     createdAt: p.date(.createdAt), id: p.int(.id), groups: p.strings(.groups), disabledAt: p.date(.disabledAt),
                     disabledReason: p.string(.disabledReason), totpSecret: p.string(.totpSecret),
                     recoveryCodeHashes: p.strings(.recoveryCodeHashes))
    }

    static func importOptions(_ p: Params) -> ImportOptions {
        ImportOptions(skipExisting: p.bool(.skipExisting), dryRun: p.bool(.dryRun))
    }

    /// A row's entry in `users.import`'s `results`: its User (marked when it was skipped), or its error.
    static func importResult(_ outcome: ImportOutcome) -> JSON {
        switch outcome {
        case .imported(let user): user.json
        case .skipped(let user):
            .object((user.json.object ?? [:]).merging([ResultKey.skipped.rawValue: true]) { $1 })
        case .refused(let error): [ResultKey.error.rawValue: RPCError(error).json]
        }
    }

    /// An ExportedUser: the User and its hash, the columns `authctl user import` reads.
    /// A user as `users.import` takes them back: the User with its hash and groups, and
    /// `disabled_at` and `disabled_reason` only while disabled.
    static func exported(_ stored: StoredUser, factor: MovedFactor?) -> JSON {
        var members = stored.user.json.object ?? [:]
        members[ResultKey.passwordHash.rawValue] = .string(stored.passwordHash)
        members[ResultKey.groups.rawValue] = .array(stored.groups.map { .string($0) })
        if let disabledAt = stored.disabledAt {
            members[ResultKey.disabledAt.rawValue] = .string(RFC3339.format(Date(timeIntervalSince1970: TimeInterval(disabledAt))))
            members[ResultKey.disabledReason.rawValue] = stored.disabledReason.map { .string($0) }
        }
        if let factor {
            members[ResultKey.totpSecret.rawValue] = .string(factor.sealed)
            members[ResultKey.recoveryCodeHashes.rawValue] = .array(factor.recoveryHashes.map { .string($0) })
        }
        return .object(members)
    }

    /// One method: params into the domain, the domain's answer into the contract's result.
    func perform(_ method: RPCMethod, _ p: Params, caller: Caller) async throws -> JSON {
        switch method {
        case .register:
            return try await service.register(
                username: p.string(.username), email: p.string(.email), password: p.string(.password),
                registrationOpen: settings.current.registrationOpen, caller: caller
            ).json
        case .login:
            return try await service.login(
                username: p.string(.username), email: p.string(.email), password: p.string(.password),
                client: p.string(.client), label: p.string(.label), sessionToken: p.bool(.sessionToken), caller: caller
            ).json
        case .refresh:
            return try await service.refresh(
                refreshToken: p.string(.refreshToken), client: p.string(.client), label: p.string(.label), caller: caller
            ).json
        case .logout:
            let ended = try await service.logout(token: p.string(.token), scope: p.string(.scope), caller: caller)
            return [ResultKey.revoked.rawValue: true, ResultKey.sessions.rawValue: .int(ended)]
        case .sessionsList:
            let list = try await service.listSessions(token: p.string(.callerToken), userID: p.int(.userID), caller: caller)
            return [ResultKey.sessions.rawValue: .array(list.sessions.map { $0.json(current: $0.id == list.current) })]
        case .sessionsRevoke:
            try await service.revokeSession(token: p.string(.callerToken), sessionID: p.string(.sessionID), caller: caller)
            return [ResultKey.revoked.rawValue: true]
        case .verify:
            return Self.verifyResult(try await service.verify(token: p.string(.token)))
        case .usersGet:
            return try await service.getUser(
                id: p.int(.id), username: p.string(.username), email: p.string(.email), token: p.string(.callerToken), caller: caller
            ).json
        case .usersList:
            let page = try await service.listUsers(token: p.string(.callerToken), limit: p.int(.limit), afterID: p.int(.afterID), caller: caller)
            return [ResultKey.nextAfterID.rawValue: page.nextAfterID.map { .int($0) } ?? .null,
                    ResultKey.users.rawValue: .array(page.users.map(\.json))]
        case .usersUpdate:
            return try await service.updateUser(
                id: p.int(.id), token: p.string(.callerToken), username: p.string(.username), email: p.string(.email),
                password: p.string(.password), currentPassword: p.string(.currentPassword), client: p.string(.client), caller: caller
            ).json
        case .usersDelete:
            try await service.deleteUser(id: p.int(.id), token: p.string(.callerToken), currentPassword: p.string(.currentPassword),
                                         client: p.string(.client), caller: caller)
            return [ResultKey.deleted.rawValue: true]
        case .usersImport:
            let rows = p.rows(.users)
            if rows.isAbsent {
                return try await service.importUser(Self.importFields(p), options: Self.importOptions(p),
                                                    token: p.string(.callerToken), caller: caller).json
            }
            let outcomes = try await service.importUsers(
                rows.mapValue { $0.map(Self.importFields) }, alongside: Self.importFields(p), options: Self.importOptions(p),
                token: p.string(.callerToken), caller: caller)
            return [ResultKey.results.rawValue: .array(outcomes.map(Self.importResult))]
        case .usersExport:
            let page = try await service.exportUsers(token: p.string(.callerToken), limit: p.int(.exportLimit), afterID: p.int(.afterID),
                                                     caller: caller)
            return [ResultKey.nextAfterID.rawValue: page.nextAfterID.map { .int($0) } ?? .null,
                    ResultKey.users.rawValue: .array(page.users.map { Self.exported($0, factor: page.factors[$0.user.id]) })]
        case .usersLockout:
            let state = try await service.lockout(id: p.int(.id), token: p.string(.callerToken), caller: caller)
            let locked = state.lockedUntil > service.currentTime
            return [ResultKey.failures.rawValue: .int(state.failures),
                    ResultKey.lockedUntil.rawValue: locked
                        ? .string(RFC3339.format(Date(timeIntervalSince1970: TimeInterval(state.lockedUntil)))) : .null]
        case .usersUnlock:
            try await service.unlock(id: p.int(.id), token: p.string(.callerToken), caller: caller)
            return [ResultKey.unlocked.rawValue: true]
        case .usersDisable:
            try await service.disable(id: p.int(.id), reason: p.string(.reason), token: p.string(.callerToken), caller: caller)
            return [ResultKey.disabled.rawValue: true]
        case .usersEnable:
            try await service.enable(id: p.int(.id), token: p.string(.callerToken), caller: caller)
            return [ResultKey.disabled.rawValue: false]
        case .usersStatus:
            return Self.statusResult(try await service.status(id: p.int(.id), token: p.string(.callerToken), caller: caller))
        case .usersSetGroups:
            let groups = try await service.setGroups(id: p.int(.id), groups: p.strings(.groups), token: p.string(.callerToken), caller: caller)
            return [ResultKey.groups.rawValue: .array(groups.map { .string($0) })]
        case .usersResetToken:
            let issued = try await service.resetToken(id: p.int(.id), ttl: p.int(.ttl), token: p.string(.callerToken), caller: caller)
            return [ResultKey.expiresIn.rawValue: .int(issued.expiresIn), ResultKey.resetToken.rawValue: .string(issued.token)]
        case .resetPassword:
            return try await service.resetPassword(
                resetToken: p.string(.resetToken), password: p.string(.password), client: p.string(.client), caller: caller
            ).json
        case .mfa:
            return try await service.completeMFA(
                mfaToken: p.string(.mfaToken), code: p.string(.code), recoveryCode: p.string(.recoveryCode), client: p.string(.client),
                label: p.string(.label), caller: caller
            ).json
        case .totpEnroll:
            let enrolled = try await service.enrollTOTP(token: p.string(.token), currentPassword: p.string(.currentPassword),
                                                        client: p.string(.client), caller: caller)
            return [ResultKey.expiresIn.rawValue: .int(enrolled.expiresIn), ResultKey.otpauthURI.rawValue: .string(enrolled.uri),
                    ResultKey.secret.rawValue: .string(enrolled.secret)]
        case .totpConfirm:
            let codes = try await service.confirmTOTP(token: p.string(.token), code: p.string(.code), client: p.string(.client), caller: caller)
            return [ResultKey.recoveryCodes.rawValue: .array(codes.map { .string($0) })]
        case .totpRemove:
            try await service.removeTOTP(token: p.string(.callerToken), code: p.string(.code), currentPassword: p.string(.currentPassword),
                                         userID: p.int(.userID), client: p.string(.client), caller: caller)
            return [ResultKey.removed.rawValue: true]
        case .recoveryRegenerate:
            let codes = try await service.regenerateRecoveryCodes(token: p.string(.token), code: p.string(.code), client: p.string(.client),
                                                                  caller: caller)
            return [ResultKey.recoveryCodes.rawValue: .array(codes.map { .string($0) })]
        case .health:
            let storage = try await service.health()
            return [ResultKey.status.rawValue: "ok", ResultKey.storage.rawValue: .string(storage),
                    ResultKey.uptime.rawValue: .int(uptimeSeconds), ResultKey.version.rawValue: .string(authdVersion)]
        case .metrics:
            // Membership comes from the group database (NSS, possibly remote): looked up on a
            // thread of its own, not on the connection's event loop.
            let policy = settings.current.policy
            let allowed = try await caller.isPrivileged ? true : onOwnThread("groups") { policy.mayReadMetrics(caller) }
            guard allowed else {
                throw AuthError(.forbidden, "Metrics are for privileged peers and the metrics group")
            }
            return [ResultKey.contentType.rawValue: "text/plain; version=0.0.4", ResultKey.text.rawValue: .string(metrics.exposition())]
        case .discover:
            return RPCMethod.openRPC(version: authdVersion)
        }
    }
}
