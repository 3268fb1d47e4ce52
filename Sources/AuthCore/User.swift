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

    public init(user: User, passwordHash: String, tokensValidAfter: Int64) {
        self.user = user
        self.passwordHash = passwordHash
        self.tokensValidAfter = tokensValidAfter
    }
}

/// A new account on its way into the store.
public struct NewUser: Sendable {
    public var username: String
    public var email: String
    public var passwordHash: String
    public var createdAt: Date

    public init(username: String, email: String, passwordHash: String, createdAt: Date) {
        self.username = username
        self.email = email
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
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
