import Synchronization

/// The settings SIGHUP may change while authd serves: connection limits and who is
/// privileged or may read metrics. Swapped whole, so that each new connection and
/// each call sees one consistent set; connections already open keep the limits they
/// started with. (The log level lives in `DaemonLogging.level`.)
final class ReloadableSettings: Sendable {
    struct Values: Sendable {
        var limits: RPCServer.Limits
        var policy: PeerPolicy
    }

    private let values: Mutex<Values>

    init(_ values: Values) {
        self.values = Mutex(values)
    }

    /// The defaults, for a dispatcher that runs without a daemon (unit tests).
    convenience init() {
        self.init(Values(limits: .init(maxRequestBytes: 1 << 20, idleTimeout: .seconds(60), maxConnections: 1024),
                         policy: PeerPolicy.rootOnly))
    }

    /// From a configuration; fails when a named group does not exist.
    convenience init(_ config: DaemonConfiguration) throws {
        self.init(try Self.values(config))
    }

    var current: Values { values.withLock { $0 } }

    func replace(with new: Values) { values.withLock { $0 = new } }

    static func values(_ config: DaemonConfiguration) throws -> Values {
        Values(
            limits: .init(maxRequestBytes: config.maxRequestBytes, idleTimeout: .seconds(Int64(config.idleTimeout)),
                          maxConnections: config.maxConnections),
            policy: try PeerPolicy(adminGroup: config.adminGroup, metricsGroup: config.metricsGroup))
    }
}

extension DaemonConfiguration {
    /// The settings that differ between `self` and `new` but take a restart to apply.
    func restartOnlyChanges(to new: DaemonConfiguration) -> [String] {
        var changed: [String] = []
        func check(_ name: String, _ same: Bool) { if !same { changed.append(name) } }
        check("socket", socketPath == new.socketPath)
        check("socket_group", socketGroup == new.socketGroup)
        check("database", database == new.database)
        check("state_directory", stateDirectory == new.stateDirectory)
        check("bcrypt_cost", bcryptCost == new.bcryptCost)
        check("token_lifetime", tokenLifetime == new.tokenLifetime)
        check("hash_threads", hashThreads == new.hashThreads)
        check("hash_queue_limit", hashQueueLimit == new.hashQueueLimit)
        check("storage_connections", storageConnections == new.storageConnections)
        check("storage_timeout", storageTimeout == new.storageTimeout)
        check("jwt_secret", jwtSecret == new.jwtSecret)
        let (t, u) = (throttle, new.throttle)
        check("login_throttle", (t.accountLimit, t.clientLimit, t.window, t.backoff) == (u.accountLimit, u.clientLimit, u.window, u.backoff))
        return changed
    }
}
