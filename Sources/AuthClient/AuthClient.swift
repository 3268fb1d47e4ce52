import AuthInterface
import AuthJSON
import AuthWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why a call did not get an answer from the daemon.
public enum ClientError: Error, CustomStringConvertible, Sendable {
    /// Nothing answers on the socket (missing, refused, permission denied).
    case unreachable(path: String, reason: String)
    /// The connection broke or the daemon sent something that is not a response.
    case protocolError(String)

    public var description: String {
        switch self {
        case .unreachable(let path, let reason): "cannot reach authd at \(path): \(reason)"
        case .protocolError(let message): "bad answer from authd: \(message)"
        }
    }
}

/// A blocking JSON-RPC connection to authd's Unix socket, for `authctl` and tests.
/// One thread at a time; responses are matched to requests by id.
public final class AuthClient {
    public let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// Answers have no limit a client should impose: authd bounds what it sends.
    private var scanner = LineScanner(maxLength: .max)
    private var nextID = 1

    public init(path: String, timeout: TimeInterval = 30) throws(ClientError) {
        self.path = path
        do throws(UnixSocket.Failure) {
            fd = try UnixSocket.connect(to: path)
        } catch {
            throw .unreachable(path: path, reason: error.reason)
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The socket, for tests that need to misbehave at the byte level.
    public var descriptor: Int32 { fd }

    /// Calls a method and returns its result, or the daemon's error object.
    public func call(_ method: RPCMethod, _ params: [String: JSON] = [:]) throws(ClientError) -> Result<JSON, RPCError> {
        try call(method.rawValue, params)
    }

    /// Calls a method by name (for raw calls such as `authctl call`).
    public func call(_ method: String, _ params: [String: JSON] = [:]) throws(ClientError) -> Result<JSON, RPCError> {
        let id = nextID
        nextID += 1
        try send(RPCRequest(id: .int(id), method: method, params: params).json)
        while true {
            let response = try receive()
            if response["id"] == .int(id) || response["id"] == .null {
                return RPCResponse.outcome(of: response)
            }
        }
    }

    /// Sends a request without waiting for its answer, and returns its id: callers that
    /// pipeline (import) read the answers with `receiveAnswer`.
    public func start(_ method: RPCMethod, _ params: [String: JSON]) throws(ClientError) -> Int {
        let id = nextID
        nextID += 1
        try send(RPCRequest(id: .int(id), method: method.rawValue, params: params).json)
        return id
    }

    /// The next answer and the id of its request (nil for an answer to no request).
    public func receiveAnswer() throws(ClientError) -> (id: Int?, outcome: Result<JSON, RPCError>) {
        let response = try receive()
        return (response["id"]?.int64.map { Int($0) }, RPCResponse.outcome(of: response))
    }

    /// Sends one message as a line.
    public func send(_ message: JSON) throws(ClientError) {
        try sendRaw(message.serialized() + [UInt8(ascii: "\n")])
    }

    /// Sends bytes as they are (tests use this for malformed input).
    public func sendRaw(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError("send failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads the next line and parses it.
    public func receive() throws(ClientError) -> JSON {
        guard let line = try receiveLine() else { throw .protocolError("connection closed") }
        do {
            return try JSONParser.parse(line)
        } catch {
            throw .protocolError("not JSON: \(error.message)")
        }
    }

    /// The next line without its newline (a `\r` before it dropped, as authd frames); nil at
    /// end of stream.
    public func receiveLine() throws(ClientError) -> [UInt8]? {
        while true {
            if case .line(let length, let consumed) = buffer.withUnsafeBytes({ scanner.scan($0) }) {
                let line = Array(buffer[..<length])
                buffer.removeFirst(consumed)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return nil }
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError(errno == EAGAIN ? "timed out waiting for an answer" : String(cString: strerror(errno)))
            }
            buffer.append(contentsOf: chunk[..<n])
        }
    }
}
