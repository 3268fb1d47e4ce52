#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket's address (`sockaddr_un`) and the calls that take one, written once for
/// the client, the daemon's check for a live daemon, and the tests' stand-ins for peers.
public enum UnixSocket {
    /// Why a socket could not be set up; `reason` is the system's word for it.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let reason: String
        public var description: String { reason }

        static func errno(_ code: Int32 = Glibc.errno) -> Failure { Failure(reason: String(cString: strerror(code))) }
    }

    /// A connected stream socket to `path`; the caller closes it.
    public static func connect(to path: String) throws(Failure) -> Int32 {
        let fd = try open(Int32(SOCK_STREAM.rawValue))
        do throws(Failure) {
            try withAddress(path) { Glibc.connect(fd, $0, $1) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A socket of `type` (`SOCK_DGRAM`, say) bound to `path`; the caller closes it.
    public static func bound(to path: String, type: Int32) throws(Failure) -> Int32 {
        let fd = try open(type)
        do throws(Failure) {
            try withAddress(path) { bind(fd, $0, $1) }
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// Whether something accepts connections at `path` (a stale socket file does not).
    public static func isAnswering(_ path: String) -> Bool {
        guard let fd = try? connect(to: path) else { return false }
        close(fd)
        return true
    }

    private static func open(_ type: Int32) throws(Failure) -> Int32 {
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw .errno() }
        return fd
    }

    /// Runs `call` (connect or bind) with the address of `path`; a non-zero result is errno's failure.
    private static func withAddress(_ path: String, _ call: (UnsafePointer<sockaddr>, socklen_t) -> Int32) throws(Failure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(reason: "socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw .errno() }
    }
}
