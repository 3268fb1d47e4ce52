import AuthSystemd
import ServiceLifecycle

/// The gateway's side of `Type=notify` beyond READY=1 (which the server sends once it
/// listens): `WATCHDOG=1` while it runs, when the unit sets `WatchdogSec=`, and
/// `STOPPING=1` as soon as a graceful shutdown begins.
struct SystemdNotifier: Service {
    func run() async {
        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await Systemd.keepWatchdogFed() }
            try? await gracefulShutdown()
            Systemd.notify("STOPPING=1\nSTATUS=Finishing requests in flight")
            tasks.cancelAll()
        }
    }
}
