import AuthInterface
import AuthJSON
import AuthTestSupport
import AuthWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A stand-in for authd on a Unix socket, for the router tests of error mapping and
/// pipelining only: it answers each JSON-RPC line with whatever the test says, records
/// what it was sent, and can hold answers back to reorder them.
final class FakeAuthd: Sendable {
    let directory = makeTestDirectory()
    var socketPath: String { "\(directory)/fake.sock" }
    private let listener: Int32
    private let state = State()

    /// What the serving threads share; they hold this, not the fake, so that dropping the
    /// fake ends them.
    private final class State: @unchecked Sendable {
        // @unchecked: every member is read and written under `lock`.
        let lock = NSLock()
        var received: [RPCRequest] = []
        var connections: [Int32] = []
    }

    /// - Parameters:
    ///   - batch: requests to read on a connection before answering them, last first.
    ///   - answer: the result or error for a request; nil sends nothing back.
    init(batch: Int = 1, answer: @escaping @Sendable (RPCRequest) -> Result<JSON, RPCError>?) throws {
        guard let fd = try? UnixSocket.bound(to: "\(directory)/fake.sock", type: Int32(SOCK_STREAM.rawValue)), listen(fd, 16) == 0 else {
            throw TestSetupError(description: "fake authd cannot listen")
        }
        listener = fd
        let (listener, state) = (self.listener, self.state)
        Thread.detachNewThread {
            while true {
                let fd = accept(listener, nil, nil)
                if fd < 0 { return }
                state.lock.withLock { state.connections.append(fd) }
                Thread.detachNewThread { Self.serve(fd, state, batch: batch, answer: answer) }
            }
        }
    }

    /// Every request received so far, in arrival order.
    var requests: [RPCRequest] { state.lock.withLock { state.received } }

    private static func serve(_ fd: Int32, _ state: State, batch: Int, answer: @Sendable (RPCRequest) -> Result<JSON, RPCError>?) {
        var buffer: [UInt8] = []
        var held: [JSON] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            buffer += chunk[..<n]
            while let newline = buffer.firstIndex(of: 10) {
                let line = Array(buffer[..<newline])
                buffer.removeSubrange(...newline)
                guard let json = try? JSONParser.parse(line), case .success(let request) = RPCRequest.parse(json) else { continue }
                state.lock.withLock { state.received.append(request) }
                switch answer(request) {
                case .success(let result)?: held.append(RPCResponse.success(id: request.id ?? .null, result: result))
                case .failure(let error)?: held.append(RPCResponse.failure(id: request.id ?? .null, error: error))
                case nil: break
                }
                if held.count >= batch {
                    for response in held.reversed() {
                        let bytes = response.serialized() + [10]
                        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    }
                    held.removeAll()
                }
            }
        }
    }

    deinit {
        // Wakes the accepting and serving threads, which then end.
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in state.lock.withLock({ state.connections }) {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
