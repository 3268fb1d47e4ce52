#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import AuthCore
import AuthInterface
import AuthJSON
import AuthThreads

/// The version `system.health` and `rpc.discover` report.
public let authdVersion = "0.1.0"

extension RPCDispatcher {
    /// `auth.verify`'s result.
    static func verifyResult(_ verification: Verification?) -> JSON {
        guard let verification else { return ["active": false] }
        return ["active": true, "claims": verification.claims.json, "user": verification.user.json]
    }

    /// One method: params into the domain, the domain's answer into the contract's result.
    func perform(_ method: RPCMethod, _ p: Params, caller: Caller) async throws -> JSON {
        switch method {
        case .register:
            return try await service.register(
                username: p.string("username"), email: p.string("email"), password: p.string("password"), caller: caller
            ).json
        case .login:
            let login = try await service.login(
                username: p.string("username"), email: p.string("email"), password: p.string("password"),
                client: p.string("client"), caller: caller)
            return ["access_token": .string(login.accessToken), "token_type": "Bearer",
                    "expires_in": .int(login.expiresIn), "user": login.user.json]
        case .logout:
            try await service.logout(token: p.string("token"), caller: caller)
            return ["revoked": true]
        case .verify:
            return Self.verifyResult(try await service.verify(token: p.string("token")))
        case .usersGet:
            return try await service.getUser(id: p.int("id"), token: p.string("token"), caller: caller).json
        case .usersList:
            let page = try await service.listUsers(token: p.string("token"), limit: p.int("limit"), afterID: p.int("after_id"), caller: caller)
            return ["users": .array(page.users.map(\.json)), "next_after_id": page.nextAfterID.map { .int($0) } ?? .null]
        case .usersUpdate:
            return try await service.updateUser(
                id: p.int("id"), token: p.string("token"), username: p.string("username"), email: p.string("email"),
                password: p.string("password"), caller: caller
            ).json
        case .usersDelete:
            try await service.deleteUser(id: p.int("id"), token: p.string("token"), caller: caller)
            return ["deleted": true]
        case .usersImport:
            return try await service.importUser(
                username: p.string("username"), email: p.string("email"), passwordHash: p.string("password_hash"),
                createdAt: p.date("created_at"), token: p.string("token"), caller: caller
            ).json
        case .usersLockout:
            let state = try await service.lockout(id: p.int("id"), token: p.string("token"), caller: caller)
            let locked = state.lockedUntil > service.currentTime
            return ["failures": .int(state.failures),
                    "locked_until": locked ? .string(RFC3339.format(Date(timeIntervalSince1970: TimeInterval(state.lockedUntil)))) : .null]
        case .usersUnlock:
            try await service.unlock(id: p.int("id"), token: p.string("token"), caller: caller)
            return ["unlocked": true]
        case .health:
            let storage = try await service.health()
            return ["status": "ok", "version": .string(authdVersion), "storage": .string(storage), "uptime_s": .int(uptimeSeconds)]
        case .metrics:
            // Membership comes from the group database (NSS, possibly remote): looked up on a
            // thread of its own, not on the connection's event loop.
            let policy = settings.current.policy
            let allowed = try await caller.isPrivileged ? true : onOwnThread("groups") { policy.mayReadMetrics(caller) }
            guard allowed else {
                throw AuthError(.forbidden, "Metrics are for privileged peers and the metrics group")
            }
            return ["content_type": "text/plain; version=0.0.4", "text": .string(metrics.exposition())]
        case .discover:
            return RPCMethod.openRPC(version: authdVersion)
        }
    }
}
