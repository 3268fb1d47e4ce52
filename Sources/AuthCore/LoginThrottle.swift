/// What failed logins are counted against (contract §5): an (account, client) pair, an
/// account across all clients, or a client across all accounts. An account is `id:N`, or
/// for a name no account has, `name:` and a keyed hash of the name, so that its rows look
/// like any other; a client is an end user's address passed by a trusted gateway, or a
/// local peer's uid.
public struct ThrottleKey: Sendable, Hashable {
    public enum Scope: String, Sendable {
        case pair, account, client
    }

    public var scope: Scope
    public var key: String

    public init(_ scope: Scope, _ key: String) {
        self.scope = scope
        self.key = key
    }

    public static func account(_ id: Int64) -> ThrottleKey { ThrottleKey(.account, accountName(id)) }

    /// The account part of the keys of an existing account.
    public static func accountName(_ id: Int64) -> String { "id:\(id)" }

    /// What every pair key of the account begins with.
    public static func pairPrefix(_ id: Int64) -> String { accountName(id) + "|" }
}

/// The brute-force rules: after `limit` failures of a key within `window` seconds, each
/// further attempt is refused for `baseDelay · 2^(failures − limit)` seconds (at most
/// `maxDelay`), without a password hash being spent on it. Attempts are counted before
/// their hash, so that attempts sent at once cannot get past the limit.
public struct LoginThrottle: Sendable {
    /// Per (account, client) pair, for every peer.
    public var accountLimit: Int
    /// Per account across all clients: distributed guessing.
    public var accountWideLimit: Int
    /// Per client across all accounts; privileged peers speaking for themselves are exempt.
    public var clientLimit: Int
    public var window: Int64
    public var baseDelay: Int64
    public var maxDelay: Int64

    public init(accountLimit: Int = 5, accountWideLimit: Int = 100, clientLimit: Int = 50, window: Int64 = 900,
                baseDelay: Int64 = 2, maxDelay: Int64 = 900) {
        self.accountLimit = accountLimit
        self.accountWideLimit = accountWideLimit
        self.clientLimit = clientLimit
        self.window = window
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public func limit(for scope: ThrottleKey.Scope) -> Int {
        switch scope {
        case .pair: accountLimit
        case .account: accountWideLimit
        case .client: clientLimit
        }
    }

    /// How long to lock after the `failures`-th failure; nil while under the limit.
    public func lockSeconds(failures: Int, scope: ThrottleKey.Scope) -> Int64? {
        let over = failures - limit(for: scope)
        guard over >= 0 else { return nil }
        let factor: Int64 = over >= 30 ? Int64.max / 2 : 1 << over
        return min(maxDelay, baseDelay.multipliedReportingOverflow(by: factor).overflow ? maxDelay : baseDelay * factor)
    }

    /// The keys of one login attempt, in the one order every attempt takes them (so that
    /// concurrent reservations on PostgreSQL cannot deadlock): pair, account, client.
    public func keys(account: String, client: ThrottleClient) -> [ThrottleKey] {
        let pair = ThrottleKey(.pair, account + "|" + client.name)
        let wide = ThrottleKey(.account, account)
        return client.isExempt ? [pair, wide] : [pair, wide, ThrottleKey(.client, client.name)]
    }
}

/// Who an attempt comes from, for throttling.
public struct ThrottleClient: Sendable, Equatable {
    public var name: String
    /// A privileged peer speaking for itself is never throttled as a client (its pairs still are).
    public var isExempt: Bool
}

/// What a reservation of a login attempt found: the locks its count set, to be reported
/// if the attempt fails.
public struct LoginReservation: Sendable, Equatable {
    public struct Lock: Sendable, Equatable {
        public var key: ThrottleKey
        public var failures: Int
        public var seconds: Int64

        /// The lock the `failures`-th attempt on `key` sets; nil while under its limit.
        public init?(key: ThrottleKey, failures: Int, rules: LoginThrottle) {
            guard let seconds = rules.lockSeconds(failures: failures, scope: key.scope) else { return nil }
            self.key = key
            self.failures = failures
            self.seconds = seconds
        }
    }

    public var locks: [Lock]

    public init(locks: [Lock]) {
        self.locks = locks
    }
}

/// An attempt refused because one of its keys is locked until `until`.
public struct LoginRefused: Error, Sendable {
    public var until: Int64

    public init(until: Int64) {
        self.until = until
    }
}

/// An account's failed logins, as `authctl user show` reports them.
public struct ThrottleState: Sendable, Equatable {
    public var failures: Int
    public var lockedUntil: Int64

    public init(failures: Int, lockedUntil: Int64) {
        self.failures = failures
        self.lockedUntil = lockedUntil
    }
}
