#if canImport(Glibc)
import Glibc
#endif

/// How authd's socket frames its messages, one JSON-RPC message a line, for every reader
/// of it (the daemon, the gateway's and the bench's NIO clients, `AuthClient`): a line ends
/// at `\n`, a `\r` before it is dropped, and a line longer than the limit is refused
/// without ever holding more than that.
public struct LineScanner: Sendable {
    /// What the unread bytes hold.
    public enum Scan: Equatable, Sendable {
        /// A line of `length` bytes (without its terminator); `consumed` bytes make it up.
        case line(length: Int, consumed: Int)
        /// No whole line yet: read more and scan the same bytes plus the new ones.
        case incomplete
        /// A line longer than the limit: the stream cannot be trusted to be in step.
        case tooLong
    }

    public let maxLength: Int
    /// Bytes already searched for a newline, so that a long line is scanned once, not per read.
    private var scanned = 0

    public init(maxLength: Int) {
        self.maxLength = maxLength
    }

    /// Looks for the next line at the start of `bytes`, the input not yet consumed.
    public mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Scan {
        guard scanned < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + scanned, 0x0A, bytes.count - scanned)
        else {
            scanned = bytes.count
            return bytes.count > maxLength ? .tooLong : .incomplete
        }
        scanned = 0
        let newline = base.distance(to: UnsafeRawPointer(found))
        if newline > maxLength { return .tooLong }
        let length = newline > 0 && bytes[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
        return .line(length: length, consumed: newline + 1)
    }

    /// The length of a last line that ended without a newline (its `\r` dropped).
    public static func lastLineLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        bytes.last == UInt8(ascii: "\r") ? bytes.count - 1 : bytes.count
    }
}
