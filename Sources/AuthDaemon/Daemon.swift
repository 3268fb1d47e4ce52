import AuthCore
import AuthCrypto
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// authd as a service: opens storage, binds the socket, says READY, serves until
/// SIGTERM/SIGINT, then stops accepting and finishes what is in flight.
public struct Daemon: Service {
    let config: DaemonConfiguration
    let logger: Logger

    public init(config: DaemonConfiguration, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// Runs the daemon under a service group that turns SIGTERM and SIGINT into a graceful stop.
    public static func run(_ config: DaemonConfiguration, logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: Daemon(config: config, logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// Runs the migrations and exits: for deployments that migrate separately.
    public static func migrate(_ config: DaemonConfiguration) async throws -> Int64 {
        try await StoreOpener.migrate(config)
    }

    public func run() async throws {
        Systemd.notify("STATUS=Opening storage")
        let secret = try SigningSecret.load(config)
        let store = try await StoreOpener.open(config, logger: logger)
        let hasher = try BcryptHasher(cost: config.bcryptCost, threads: config.hashThreads, queueLimit: config.hashQueueLimit)
        let audit = logger
        let service = AuthService(
            store: store, hasher: hasher, tokens: try HS256Codec(secret: secret.bytes),
            settings: .init(tokenLifetime: Int64(config.tokenLifetime)),
            events: { event in Self.log(event, to: audit) })
        let metrics = RequestMetrics()
        let inFlight = InFlightRequests()
        let dispatcher = RPCDispatcher(service: service, logger: logger, metrics: metrics)

        let server = try await RPCServer.start(
            socketPath: config.socketPath, socketGroup: config.socketGroup,
            limits: .init(maxRequestBytes: config.maxRequestBytes, idleTimeout: .seconds(Int64(config.idleTimeout)),
                          maxConnections: config.maxConnections),
            dispatcher: dispatcher, policy: try PeerPolicy(adminGroup: config.adminGroup), metrics: metrics,
            inFlight: inFlight, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        logger.info("authd \(authdVersion) serving", metadata: [
            "socket": "\(server.description)", "database": "\(config.database)", "jwt_secret": "\(secret.source)",
        ])
        Systemd.notify("READY=1\nSTATUS=Serving on \(server.description)")

        await withDiscardingTaskGroup { tasks in
            if let usec = Systemd.watchdogInterval() {
                tasks.addTask {
                    while !Task.isCancelled {
                        Systemd.notify("WATCHDOG=1")
                        try? await Task.sleep(for: .microseconds(usec / 2))
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

    static func log(_ event: AuthEvent, to logger: Logger) {
        var metadata: Logger.Metadata = ["event": "\(event.kind.rawValue)"]
        if let id = event.userID { metadata["user_id"] = "\(id)" }
        if let uid = event.peerUID { metadata["peer_uid"] = "\(uid)" }
        if let detail = event.detail { metadata["detail"] = "\(detail)" }
        logger.info("auth event", metadata: metadata)
    }
}
