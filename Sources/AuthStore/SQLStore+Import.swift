import AuthCore
import AuthThreads
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SQLStore {
    public func importUsers(_ rows: [NewUser], skipExisting: Bool, dryRun: Bool) async throws -> [ImportOutcome] {
        try await importGate.run { try await importInTurn(rows, skipExisting: skipExisting, dryRun: dryRun) }
    }

    private func importInTurn(_ rows: [NewUser], skipExisting: Bool, dryRun: Bool) async throws -> [ImportOutcome] {
        let keptIDs = rows.compactMap(\.id)
        if dryRun {
            return try await run { [self] db in
                do {
                    // The sequence is not moved: PostgreSQL's does not roll back.
                    let _: Void = try db.writeTransaction {
                        throw RolledBack(outcomes: try rows.map { try importRow($0, skipExisting: skipExisting, db) })
                    }
                    return []
                } catch let done as RolledBack {
                    return done.outcomes
                }
            }
        }
        let outcomes = try await run { [self] db in
            // Other instances may remember some of these ids as having no user.
            // Not waiting for the disk: a thousand rows a commit are written at the disk's
            // speed, not its fsync rate; what a machine crash loses, a rerun with skip_existing adds.
            try db.relaxedWrite(announcing: { _ in .imported }) {
                if let highest = keptIDs.max() {
                    if let move = sql.moveIDSequence { try db.query(move, [.integer(highest)]) }
                }
                return try rows.map { try importRow($0, skipExisting: skipExisting, db) }
            }
        }
        cache.usersImported()
        return outcomes
    }

    /// One row inside the import's transaction: inserted, or (nothing inserted) told why.
    private func importRow(_ new: NewUser, skipExisting: Bool, _ db: Driver.Connection) throws -> ImportOutcome {
        let inserted = try db.query(sql.importUser, [SQLValue(new.id), .text(new.username), .text(new.email), .text(new.passwordHash),
                                                     .integer(Int64(new.createdAt.timeIntervalSince1970)),
                                                     .text(new.groups.joined(separator: ",")), SQLValue(new.disabledAt),
                                                     SQLValue(new.disabledReason)])
        if let row = inserted.first {
            let user = Self.storedUser(row).user
            if let factor = new.factor { try importFactor(factor, of: user.id, db) }
            return .imported(user)
        }
        if let same = try db.query(sql.userByUsername, [.text(new.username)]).first.map(Self.storedUser) {
            let hasFactor = try db.query(sql.mfa.factor, [.integer(same.user.id)]).first?.int("confirmed") == 1
            let isSame = same.user.email.lowercased() == new.email.lowercased() && same.passwordHash == new.passwordHash
                && (new.id == nil || new.id == same.user.id) && same.groups == new.groups
                && same.disabledAt == new.disabledAt && same.disabledReason == new.disabledReason
                && hasFactor == (new.factor != nil)
            return skipExisting && isSame ? .skipped(same.user) : .refused(.conflict("username"))
        }
        if !(try db.query(sql.userByEmail, [.text(new.email)])).isEmpty { return .refused(.conflict("email")) }
        // The id is a user's, or was one's until they were deleted.
        return .refused(.conflict(new.id == nil ? "username" : "id"))
    }
}

/// A dry run's answers, thrown to roll its transaction back.
private struct RolledBack: Error {
    let outcomes: [ImportOutcome]
}
