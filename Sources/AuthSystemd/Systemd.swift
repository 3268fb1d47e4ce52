import CSystemd

/// libsystemd's daemon and journal helpers for authd and the gateway, the only file that
/// sees them. Without systemd (no NOTIFY_SOCKET, no passed sockets) every call is a
/// harmless no-op.
public enum Systemd {
    /// The first descriptor systemd passes (SD_LISTEN_FDS_START).
    public static let firstPassedDescriptor: Int32 = 3

    /// How many descriptors socket activation passed, from `firstPassedDescriptor` on;
    /// 0 without socket activation. Consumes LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES and
    /// marks the descriptors close-on-exec, so that child processes inherit neither.
    public static func passedDescriptorCount() -> Int {
        max(0, Int(sd_listen_fds(1)))
    }

    /// The listening Unix stream socket passed by socket activation, if there is one.
    public static func passedUnixSocket() -> Int32? {
        guard passedDescriptorCount() >= 1 else { return nil }
        let fd = firstPassedDescriptor
        guard sd_is_socket_unix(fd, SOCK_STREAM_VALUE, 1, nil, 0) > 0 else { return nil }
        return fd
    }

    /// Whether `fd` is a listening stream socket of any family (what `ListenStream=` passes).
    public static func isListeningStreamSocket(_ fd: Int32) -> Bool {
        sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM_VALUE, 1) > 0
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

    /// Sends `WATCHDOG=1` at half the interval the service manager asked for, until the
    /// task is cancelled; returns at once when no watchdog is set.
    public static func keepWatchdogFed() async {
        guard let usec = watchdogInterval() else { return }
        while !Task.isCancelled {
            notify("WATCHDOG=1")
            try? await Task.sleep(for: .microseconds(usec / 2))
        }
    }

    /// `RELOADING=1` with the CLOCK_MONOTONIC time systemd 253's Type=notify-reload asks for.
    public static func reloadingMessage() -> String {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return "RELOADING=1\nMONOTONIC_USEC=\(UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000)"
    }

    /// Whether stderr is the journal's stream: systemd sets JOURNAL_STREAM to its
    /// `device:inode`, and the variable survives into processes whose stderr went elsewhere.
    public static func stderrIsJournal(_ environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"], let colon = value.firstIndex(of: ":"),
              let device = UInt64(value[..<colon]), let inode = UInt64(value[value.index(after: colon)...])
        else { return false }
        var status = stat()
        guard fstat(2, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// Sends one entry through `sd_journal_sendv` (`sd_journal_send` is variadic, which
    /// Swift cannot call); false when the journal did not take it.
    @Sendable public static func sendToJournal(_ fields: [JournalLogHandler.Field]) -> Bool {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes += field.name.utf8
            bytes.append(UInt8(ascii: "="))
            bytes += field.value.utf8
            ranges.append(start..<bytes.count)
        }
        guard !bytes.isEmpty else { return true }
        return bytes.withUnsafeMutableBytes { buffer in
            var vectors = ranges.map { iovec(iov_base: buffer.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            return sd_journal_sendv(&vectors, Int32(vectors.count)) >= 0
        }
    }
}

#if canImport(Glibc)
import Glibc
private let SOCK_STREAM_VALUE = Int32(SOCK_STREAM.rawValue)
#else
private let SOCK_STREAM_VALUE = SOCK_STREAM
#endif

extension Systemd {
    /// Unblocks the signals authd stops and reloads on. A parent may hand them down
    /// blocked (systemd-socket-activate blocks SIGTERM and SIGINT for itself before it
    /// execs the service), and a blocked SIGTERM would make authd unstoppable.
    public static func unblockControlSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
