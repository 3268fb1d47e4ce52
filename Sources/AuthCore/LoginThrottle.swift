/// What failed logins are counted against: an account, or a client (an end user's
/// address passed by a trusted gateway, or a local peer's uid).
public struct ThrottleKey: Sendable, Hashable {
    public enum Scope: String, Sendable {
        case account, client
    }

    public var scope: Scope
    public var key: String

    public init(_ scope: Scope, _ key: String) {
        self.scope = scope
        self.key = key
    }

    public static func account(_ id: Int64) -> ThrottleKey { ThrottleKey(.account, String(id)) }
}

/// The brute-force rules: after `limit` failures within `window` seconds, each
/// further attempt is refused for `baseDelay · 2^(failures − limit)` seconds (at
/// most `maxDelay`), without a password hash being spent on it.
public struct LoginThrottle: Sendable {
    public var accountLimit: Int
    public var clientLimit: Int
    public var window: Int64
    public var baseDelay: Int64
    public var maxDelay: Int64

    public init(accountLimit: Int = 5, clientLimit: Int = 50, window: Int64 = 900, baseDelay: Int64 = 2, maxDelay: Int64 = 900) {
        self.accountLimit = accountLimit
        self.clientLimit = clientLimit
        self.window = window
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    func limit(for scope: ThrottleKey.Scope) -> Int {
        scope == .account ? accountLimit : clientLimit
    }

    /// How long to lock after the `failures`-th failure; nil while under the limit.
    func lockSeconds(failures: Int, scope: ThrottleKey.Scope) -> Int64? {
        let over = failures - limit(for: scope)
        guard over >= 0 else { return nil }
        let factor: Int64 = over >= 30 ? Int64.max / 2 : 1 << over
        return min(maxDelay, baseDelay.multipliedReportingOverflow(by: factor).overflow ? maxDelay : baseDelay * factor)
    }
}

/// An account's or client's failed logins, as `authctl user show` reports them.
public struct ThrottleState: Sendable, Equatable {
    public var failures: Int
    public var lockedUntil: Int64

    public init(failures: Int, lockedUntil: Int64) {
        self.failures = failures
        self.lockedUntil = lockedUntil
    }
}
