import AuthWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket at journald's own address (/run/systemd/journal/socket, which
/// libsystemd does not let one change), for a machine where journald does not run.
/// It receives what `sd_journal_sendv` sends and parses the native protocol.
final class FakeJournal {
    static let path = "/run/systemd/journal/socket"
    private let fd: Int32
    private let createdDirectory: Bool

    /// Nil when a journal socket is already there (a real journald must not be shadowed).
    init?() throws {
        guard !FileManager.default.fileExists(atPath: Self.path) else { return nil }
        let directory = (Self.path as NSString).deletingLastPathComponent
        createdDirectory = !FileManager.default.fileExists(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        fd = try UnixSocket.bound(to: Self.path, type: Int32(SOCK_DGRAM.rawValue))
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Entries received until one satisfies `done` or `timeout` passes.
    func entries(timeout: Duration = .seconds(10), until done: ([String: String]) -> Bool) -> [[String: String]] {
        var out: [[String: String]] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !out.contains(where: done) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { out.append(Self.parse(Array(buffer[..<n]))) }
        }
        return out
    }

    /// The native protocol: `NAME=value\n`, or `NAME\n` + little-endian 64-bit length +
    /// value + `\n` for a value with a newline in it.
    static func parse(_ bytes: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        var i = 0
        while i < bytes.count {
            guard let nl = bytes[i...].firstIndex(of: 0x0A) else { break }
            let line = bytes[i..<nl]
            if let eq = line.firstIndex(of: UInt8(ascii: "=")) {
                fields[String(decoding: line[..<eq], as: UTF8.self)] = String(decoding: line[(eq + 1)...], as: UTF8.self)
                i = nl + 1
            } else {
                let name = String(decoding: line, as: UTF8.self)
                var length = 0
                for k in 0..<8 { length |= Int(bytes[nl + 1 + k]) << (8 * k) }
                let start = nl + 9
                fields[name] = String(decoding: bytes[start..<(start + length)], as: UTF8.self)
                i = start + length + 1
            }
        }
        return fields
    }

    deinit {
        close(fd)
        unlink(Self.path)
        if createdDirectory { rmdir((Self.path as NSString).deletingLastPathComponent) }
    }
}
