import AuthCore
import AuthCrypto
import AuthInterface
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

/// authd: opens storage, then serves as a group of services until SIGTERM/SIGINT: the
/// server, the revocation purger, the reloader (SIGHUP re-reads the configuration that
/// can change while it serves) and the systemd notifier. A graceful shutdown runs in
/// reverse order: STOPPING=1 first, the server's drain last.
public enum Daemon {
    public static func run(
        _ config: DaemonConfiguration, logger: Logger, reload: (@Sendable () throws -> DaemonConfiguration)? = nil
    ) async throws {
        RequestMetrics.bootstrapMetricsSystem()
        // Trapped before READY=1, so that an early `systemctl reload` cannot kill us.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        raiseDescriptorLimit()
        Systemd.notify("STATUS=Opening storage")
        let secret = try SigningSecret.load(config)
        guard let store = try await StoreOpener.openUnlessStopped(config, logger: logger) else {
            logger.info("stopped before serving")
            return
        }
        let mfaKey = try MFAKey.load(config)
        let factors = try MFACodec(key: mfaKey.bytes)
        guard try await store.adoptMFAKeyFingerprint(factors.keyFingerprint) else {
            throw ConfigurationError(
                "the MFA key from \(mfaKey.source) is not the key this database's TOTP secrets are sealed under: every instance "
                    + "sharing a database needs the same key (AUTHD_MFA_KEY or the credential mfa-key); copy the other instances' "
                    + "key here (README, Two-factor sign-in)")
        }
        let hasher = try BcryptHasher(
            cost: config.bcryptCost, threads: config.hashThreads, queueLimit: config.hashQueueLimit,
            importForm: ImportedHashForm(configuredCost: config.bcryptCost, bcryptCostCap: config.importBcryptCostCap,
                                         allowsWeak: config.allowWeakImport))
        let metrics = RequestMetrics.shared
        let service = AuthService(
            store: store, hasher: hasher, tokens: try HS256Codec(secret: secret.bytes), factors: factors,
            settings: .init(tokenLifetime: Int64(config.tokenLifetime), throttle: LoginThrottle(
                accountLimit: config.throttle.accountLimit, accountWideLimit: config.throttle.accountWideLimit, clientLimit: config.throttle.clientLimit,
                window: Int64(config.throttle.window), baseDelay: Int64(config.throttle.backoff), maxDelay: Int64(config.throttle.window)),
                sessionIdleTimeout: Int64(config.sessionIdleTimeout), sessionLifetime: Int64(config.sessionLifetime),
                refreshReuseInterval: Int64(config.refreshReuseInterval), maxSessionsPerUser: config.maxSessionsPerUser,
                freshWindow: Int64(config.freshWindow), mfaIssuer: config.mfaIssuer ?? "authd"),
            events: { event in
                Self.log(event, to: logger)
                metrics.record(event: event.kind.rawValue)
            },
            sessionActivity: { metrics.record(sessions: $0) })
        let settings = try ReloadableSettings(config)
        let place = try RPCServer.place(socketPath: config.socketPath, socketGroup: config.socketGroup)
        let status = "Serving on \(RPCServer.description(of: place))"
        let server = RPCServer(
            place: place, settings: settings,
            dispatcher: RPCDispatcher(service: service, logger: logger, metrics: metrics, settings: settings),
            metrics: metrics, inFlight: InFlightRequests(), logger: logger,
            onListening: {
                logger.info("authd \(authdVersion) serving", metadata: [
                    "socket": "\(RPCServer.description(of: place))", "database": "\(config.database)", "jwt_secret": "\(secret.source)", "mfa_key": "\(mfaKey.source)",
                ])
                Systemd.notify("READY=1\nSTATUS=\(status)")
            })

        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: server),
            .init(service: RevocationPurger(service: service, logger: logger), successTerminationBehavior: .ignore),
        ]
        if let reload {
            services.append(.init(
                service: Reloader(hangups: hangups, initial: config, read: reload, settings: settings, status: status, logger: logger),
                successTerminationBehavior: .ignore))
        }
        services.append(.init(service: SystemdNotifier(), successTerminationBehavior: .ignore))
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
        logger.info("stopped")
    }

    /// Copies the SQLite database to `path` while a daemon may serve it; what was copied, in words.
    public static func backup(_ config: DaemonConfiguration, to path: String) async throws -> String {
        try await StoreOpener.backup(config, to: path)
    }

    /// Runs the migrations and exits: for deployments that migrate separately.
    public static func migrate(_ config: DaemonConfiguration) async throws -> Int64 {
        try await StoreOpener.migrate(config)
    }

    /// See `StoreOpener.exitStatus(for:)`.
    public static func exitStatus(for error: any Error) -> Int32 {
        StoreOpener.exitStatus(for: error)
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
        metadata["method"] = "\(AuditCatalog.method(event.kind).rawValue)"
        if let id = event.userID { metadata["user_id"] = "\(id)" }
        if let uid = event.peerUID { metadata["peer_uid"] = "\(uid)" }
        if let detail = event.detail { metadata["detail"] = "\(detail)" }
        if case .name(let name)? = event.attempt { metadata["attempted"] = "\(name)" }
        if let client = event.client { metadata["client"] = "\(client)" }
        logger.info("\(AuditCatalog.message(event))", metadata: metadata)
    }
}
