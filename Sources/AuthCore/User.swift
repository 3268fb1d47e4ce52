#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A user as every client sees it: never a password or a hash.
public struct User: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var email: String
    public var createdAt: Date

    public init(id: Int64, username: String, email: String, createdAt: Date) {
        self.id = id
        self.username = username
        self.email = email
        self.createdAt = createdAt
    }
}

/// A user as the store keeps it, with the secrets the domain needs.
public struct StoredUser: Sendable, Equatable {
    public var user: User
    public var passwordHash: String
    /// Tokens issued at or before this second (a JWT `iat`) are no longer valid.
    public var tokensValidAfter: Int64
    /// Tokens without a session (`sid`) issued at or before this second are no longer
    /// valid (`auth.logout` with scope others or global).
    public var unboundTokensValidAfter: Int64
    /// Its groups, sorted (contract §8): `auth.verify` reads them from memory with the user.
    public var groups: [String]
    /// When an administrator disabled the account (seconds), and why; nil while enabled.
    public var disabledAt: Int64?
    public var disabledReason: String?

    public init(user: User, passwordHash: String, tokensValidAfter: Int64, unboundTokensValidAfter: Int64 = 0, groups: [String] = [],
                disabledAt: Int64? = nil, disabledReason: String? = nil) {
        self.user = user
        self.passwordHash = passwordHash
        self.tokensValidAfter = tokensValidAfter
        self.unboundTokensValidAfter = unboundTokensValidAfter
        self.groups = groups
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
    }

    public var isDisabled: Bool { disabledAt != nil }
}

/// A new account on its way into the store.
public struct NewUser: Sendable {
    public var username: String
    public var email: String
    public var passwordHash: String
    public var createdAt: Date
    /// The id to keep (an import's); nil: the next one.
    public var id: Int64?
    /// An import's groups (sorted, each once) and disabled state (seconds, and why).
    public var groups: [String]
    public var disabledAt: Int64?
    public var disabledReason: String?
    /// An imported TOTP factor, sealed for the row's id.
    public var factor: MovedFactor?

    public init(username: String, email: String, passwordHash: String, createdAt: Date, id: Int64? = nil, groups: [String] = [],
                disabledAt: Int64? = nil, disabledReason: String? = nil, factor: MovedFactor? = nil) {
        self.factor = factor
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.id = id
        self.groups = groups
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
    }
}

/// What became of one row of an import.
public enum ImportOutcome: Sendable, Equatable {
    case imported(User)
    /// `skipExisting` found the same user already there (same username, email, hash, and id if given).
    case skipped(User)
    case refused(AuthError)
}

/// The changes of one update; nil leaves a column as it is.
public struct UserChanges: Sendable {
    public var username: String?
    public var email: String?
    public var passwordHash: String?
    public var tokensValidAfter: Int64?

    public init(username: String? = nil, email: String? = nil, passwordHash: String? = nil, tokensValidAfter: Int64? = nil) {
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.tokensValidAfter = tokensValidAfter
    }
}
