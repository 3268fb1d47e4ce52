import AuthWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's NOTIFY_SOCKET, for the tests of authd and
/// of the gateway alike.
public final class NotifyListener {
    public let path: String
    private let fd: Int32

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public init(path: String) throws {
        self.path = path
        do {
            fd = try UnixSocket.bound(to: path, type: Int32(SOCK_DGRAM.rawValue))
        } catch {
            throw Unavailable(description: "cannot bind \(path): \(error)")
        }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Messages received until one contains `needle` (or the timeout passes).
    public func messages(until needle: String) -> [String] {
        var out: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !out.contains(where: { $0.contains(needle) }) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out.append(String(decoding: buffer[..<n], as: UTF8.self))
        }
        return out
    }

    deinit { close(fd) }
}
