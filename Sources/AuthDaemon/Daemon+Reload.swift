import AuthSystemd
import Logging

extension Daemon {
    /// SIGHUP: reads the configuration again and applies what can change while serving
    /// (log level, connection limits, admin and metrics groups), between RELOADING=1
    /// and the READY=1 the caller sends. A configuration that does not resolve, or
    /// names a group that does not exist, changes nothing. Returns the configuration
    /// now in force.
    static func reload(
        from current: DaemonConfiguration, using read: () throws -> DaemonConfiguration,
        into settings: ReloadableSettings, logger: Logger
    ) -> DaemonConfiguration {
        Systemd.notify("\(Systemd.reloadingMessage())\nSTATUS=Reloading the configuration")
        let new: DaemonConfiguration
        do {
            new = try read()
            settings.replace(with: try ReloadableSettings.values(new))
        } catch let missing as MissingEnvironmentFile {
            logger.warning("\(missing)")
            return current
        } catch {
            logger.error("reload failed; keeping the configuration in force: \(error)")
            return current
        }
        DaemonLogging.level.value = new.logLevel
        for warning in new.warnings { logger.warning("\(warning)") }
        var applied = new
        let needRestart = current.restartOnlyChanges(to: new)
        if !needRestart.isEmpty {
            logger.warning("changes that need a restart were not applied", metadata: ["settings": "\(needRestart.joined(separator: ","))"])
            applied = current.applyingReloadable(from: new)
        }
        logger.notice("configuration reloaded", metadata: [
            "log_level": "\(new.logLevel)", "max_connections": "\(new.maxConnections)",
            "max_request_bytes": "\(new.maxRequestBytes)", "idle_timeout": "\(new.idleTimeout)",
            "admin_group": "\(new.adminGroup ?? "-")", "metrics_group": "\(new.metricsGroup ?? "-")",
        ])
        return applied
    }
}
