import AuthSystemd
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP, for as long as authd serves: each one applies `Daemon.reload` and says READY=1
/// again with the serving status, as `Type=notify-reload` expects.
struct Reloader: Service {
    /// Trapped before READY=1, so that an early `systemctl reload` cannot kill authd.
    let hangups: UnixSignalsSequence
    let initial: DaemonConfiguration
    let read: @Sendable () throws -> DaemonConfiguration
    let settings: ReloadableSettings
    let status: String
    let logger: Logger

    func run() async {
        var current = initial
        for await _ in hangups.cancelOnGracefulShutdown() {
            current = Daemon.reload(from: current, using: read, into: settings, logger: logger)
            Systemd.notify("READY=1\nSTATUS=\(status)")
        }
    }
}
