import CSystemd

/// libsystemd's daemon helpers, the only file that sees them. Without systemd
/// (no NOTIFY_SOCKET, no passed sockets) every call is a harmless no-op.
public enum Systemd {
    /// The first descriptor systemd passes (SD_LISTEN_FDS_START).
    public static let firstPassedDescriptor: Int32 = 3

    /// The listening Unix stream socket passed by socket activation, if there is one.
    /// Consumes LISTEN_FDS so that child processes do not inherit it.
    public static func passedUnixSocket() -> Int32? {
        let count = sd_listen_fds(1)
        guard count >= 1 else { return nil }
        let fd = firstPassedDescriptor
        guard sd_is_socket_unix(fd, SOCK_STREAM_VALUE, 1, nil, 0) > 0 else { return nil }
        return fd
    }

    /// Sends a state change ("READY=1", "STATUS=…", "STOPPING=1", "WATCHDOG=1").
    public static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    /// The watchdog interval in microseconds when the service manager expects pings.
    public static func watchdogInterval() -> UInt64? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return usec
    }
}

#if canImport(Glibc)
import Glibc
private let SOCK_STREAM_VALUE = Int32(SOCK_STREAM.rawValue)
#else
private let SOCK_STREAM_VALUE = SOCK_STREAM
#endif
