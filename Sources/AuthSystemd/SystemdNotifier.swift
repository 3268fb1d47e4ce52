import ServiceLifecycle

/// `Type=notify` beyond READY=1 (which a server sends once it listens), for authd and the
/// gateway alike: `WATCHDOG=1` while the program runs, when the unit sets `WatchdogSec=`,
/// and `STOPPING=1` as soon as a graceful shutdown begins. Last in a service group, so
/// that it hears of the shutdown first.
public struct SystemdNotifier: Service {
    public init() {}

    public func run() async {
        await withDiscardingTaskGroup { tasks in
            tasks.addTask { await Systemd.keepWatchdogFed() }
            try? await gracefulShutdown()
            Systemd.notify("STOPPING=1\nSTATUS=Finishing requests in flight")
            tasks.cancelAll()
        }
    }
}
