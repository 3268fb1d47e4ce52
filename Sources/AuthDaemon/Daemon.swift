import AuthCore
import AuthCrypto
import AuthSystemd
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif
import UnixSignals

/// authd as a service: opens storage, binds the socket, says READY, serves until
/// SIGTERM/SIGINT, then stops accepting and finishes what is in flight. SIGHUP
/// re-reads the configuration that can change while it serves.
public struct Daemon: Service {
    let config: DaemonConfiguration
    let logger: Logger
    /// Reads the configuration again (for SIGHUP); nil when there is nothing to re-read.
    let reload: (@Sendable () throws -> DaemonConfiguration)?

    public init(config: DaemonConfiguration, logger: Logger, reload: (@Sendable () throws -> DaemonConfiguration)? = nil) {
        self.config = config
        self.logger = logger
        self.reload = reload
    }

    /// Runs the daemon under a service group that turns SIGTERM and SIGINT into a graceful stop.
    public static func run(
        _ config: DaemonConfiguration, logger: Logger, reload: (@Sendable () throws -> DaemonConfiguration)? = nil
    ) async throws {
        RequestMetrics.bootstrapMetricsSystem()
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: Daemon(config: config, logger: logger, reload: reload))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// Runs the migrations and exits: for deployments that migrate separately.
    public static func migrate(_ config: DaemonConfiguration) async throws -> Int64 {
        try await StoreOpener.migrate(config)
    }

    public func run() async throws {
        // Trapped before READY=1, so that an early `systemctl reload` cannot kill us.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        Self.raiseDescriptorLimit()
        Systemd.notify("STATUS=Opening storage")
        let secret = try SigningSecret.load(config)
        let store = try await StoreOpener.open(config, logger: logger)
        let hasher = try BcryptHasher(cost: config.bcryptCost, threads: config.hashThreads, queueLimit: config.hashQueueLimit)
        let audit = logger
        let metrics = RequestMetrics.shared
        let service = AuthService(
            store: store, hasher: hasher, tokens: try HS256Codec(secret: secret.bytes),
            settings: .init(tokenLifetime: Int64(config.tokenLifetime), throttle: LoginThrottle(
                accountLimit: config.throttle.accountLimit, clientLimit: config.throttle.clientLimit,
                window: Int64(config.throttle.window), baseDelay: Int64(config.throttle.backoff), maxDelay: Int64(config.throttle.window))),
            events: { event in
                Self.log(event, to: audit)
                metrics.record(event: event.kind.rawValue)
            })
        let inFlight = InFlightRequests()
        let settings = try ReloadableSettings(config)
        let dispatcher = RPCDispatcher(service: service, logger: logger, metrics: metrics, settings: settings)

        let server = try await RPCServer.start(
            socketPath: config.socketPath, socketGroup: config.socketGroup, settings: settings,
            dispatcher: dispatcher, metrics: metrics,
            inFlight: inFlight, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        logger.info("authd \(authdVersion) serving", metadata: [
            "socket": "\(server.description)", "database": "\(config.database)", "jwt_secret": "\(secret.source)",
        ])
        Systemd.notify("READY=1\nSTATUS=Serving on \(server.description)")

        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await Systemd.keepWatchdogFed() }
            if let reload {
                tasks.addTask {
                    var current = config
                    for await _ in hangups {
                        current = Self.reload(from: current, using: reload, into: settings, logger: logger)
                        Systemd.notify("READY=1\nSTATUS=Serving on \(server.description)")
                    }
                }
            }
            tasks.addTask {
                while !Task.isCancelled {
                    do { try await service.purgeExpiredRevocations() } catch { logger.warning("purging revocations failed: \(error)") }
                    try? await Task.sleep(for: .seconds(600))
                }
            }
            try? await gracefulShutdown()
            tasks.cancelAll()
        }

        Systemd.notify("STOPPING=1\nSTATUS=Finishing requests in flight")
        logger.info("stopping: no new connections; finishing \(inFlight.current) requests in flight")
        try? await server.channel.close()
        await inFlight.drain(timeout: .seconds(10))
        logger.info("stopped")
    }

    /// Each connection is a descriptor: allow as many as the hard limit lets us, so that
    /// `max_connections` (default 1024) is the limit that applies, not the soft 1024.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    static func log(_ event: AuthEvent, to logger: Logger) {
        var metadata: Logger.Metadata = ["event": "\(event.kind.rawValue)"]
        if let method = AuditCatalog.methods[event.kind.rawValue] { metadata["method"] = "\(method)" }
        if let id = event.userID { metadata["user_id"] = "\(id)" }
        if let uid = event.peerUID { metadata["peer_uid"] = "\(uid)" }
        if let detail = event.detail { metadata["detail"] = "\(detail)" }
        logger.info("auth event", metadata: metadata)
    }
}
