import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The listening socket systemd passes to a socket-activated service, as `sd_listen_fds`
/// finds it: `LISTEN_PID` names this process and `LISTEN_FDS` counts descriptors from 3.
/// Read directly, so the gateway needs no libsystemd.
public enum SocketActivation {
    public static let firstDescriptor: CInt = 3

    public struct Unusable: Error, CustomStringConvertible {
        public let description: String
    }

    /// The passed listening stream socket, or nil when the process was not socket-activated.
    /// The variables are removed either way, so that no child process believes they are its.
    public static func listeningSocket() throws(Unusable) -> CInt? {
        let environment = ProcessInfo.processInfo.environment
        defer {
            for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
        }
        guard let pid = environment["LISTEN_PID"].flatMap({ pid_t($0) }), pid == getpid(),
              let count = environment["LISTEN_FDS"].flatMap({ Int($0) }), count >= 1
        else { return nil }
        let fd = firstDescriptor
        guard option(fd, SO_TYPE) == CInt(SOCK_STREAM.rawValue), option(fd, SO_ACCEPTCONN) == 1 else {
            throw Unusable(description: "the descriptor systemd passed is not a listening stream socket (use ListenStream=)")
        }
        guard count == 1 else {
            throw Unusable(description: "systemd passed \(count) sockets; the gateway listens on exactly one")
        }
        // Like sd_listen_fds: the socket is ours, not for processes we might start.
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    private static func option(_ fd: CInt, _ name: CInt) -> CInt? {
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
    }
}
