import Synchronization

/// The settings SIGHUP may change while authd serves: connection limits and who is
/// privileged or may read metrics. Swapped whole, so that each new connection and
/// each call sees one consistent set; connections already open keep the limits they
/// started with. (The log level lives in `DaemonLogging.level`.)
final class ReloadableSettings: Sendable {
    struct Values: Sendable {
        var limits: RPCServer.Limits
        var policy: PeerPolicy
        /// `--registration`: whether unprivileged peers and the gateway may register.
        var registrationOpen = true
    }

    private let values: Mutex<Values>

    init(_ values: Values) {
        self.values = Mutex(values)
    }

    /// The defaults, for a dispatcher that runs without a daemon (unit tests).
    convenience init() {
        self.init(Values(limits: .init(maxRequestBytes: 1 << 20, idleTimeout: .seconds(60), maxConnections: 1024,
                                       connectionsPerUID: 64, reservedConnections: 16),
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
                          maxConnections: config.maxConnections, connectionsPerUID: config.connectionsPerUID,
                          reservedConnections: config.reservedConnections),
            policy: try PeerPolicy(adminGroup: config.adminGroup, metricsGroup: config.metricsGroup),
            registrationOpen: config.registration == .open)
    }
}
