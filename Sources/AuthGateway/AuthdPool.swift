import AuthInterface
import AuthJSON
import AuthWire
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A few persistent, pipelined connections to authd's Unix socket, shared by every HTTP
/// request. A call that cannot reach authd fails with -32050 (so 503) at once rather than
/// hanging, and the pool reconnects by itself when authd is back.
public final class AuthdPool: Sendable {
    public let socketPath: String
    private let slots: [PoolSlot]
    /// The slots on each event loop, by the loop's identity.
    private let slotsByLoop: [ObjectIdentifier: [PoolSlot]]
    private let cursor = Atomic<Int>(0)
    private let callTimeout: TimeAmount
    private let metrics: GatewayMetrics
    private let logger: Logger

    public init(socketPath: String, connections: Int = 4, callTimeout: TimeAmount = .seconds(30), metrics: GatewayMetrics,
                group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "authd-gateway"))
    {
        self.socketPath = socketPath
        // Spread over the group's loops, so that a request can call authd over a
        // connection on its own loop (the gateway's connections run on the same group);
        // a loop without one uses them all.
        let loops = Array(group.makeIterator())
        let slots = (0..<max(1, connections)).map { PoolSlot(eventLoop: loops[$0 % loops.count]) }
        self.slots = slots
        self.slotsByLoop = Dictionary(grouping: slots) { ObjectIdentifier($0.eventLoop) }
        self.callTimeout = callTimeout
        self.metrics = metrics
        self.logger = logger
    }

    /// Calls a method; authd's error, or -32050 when authd cannot be reached or does not answer.
    public func call(_ method: RPCMethod, _ params: [String: JSON] = [:]) async -> Result<JSON, RPCError> {
        metrics.callStarted(method)
        do {
            let response = try await send(method, params, mayRetry: true)
            metrics.callEnded(method, failure: nil)
            return RPCResponse.outcome(of: response)
        } catch {
            let timedOut = if case CallFailure.timedOut = error { true } else { false }
            metrics.callEnded(method, failure: timedOut ? "timeout" : "unreachable")
            logger.warning("authd call failed", metadata: ["method": "\(method.rawValue)", "error": "\(error)"])
            let message = timedOut ? "authd did not answer in time" : "authd is unreachable"
            return .failure(RPCError(.unavailable, message, data: ["retry_after": 1]))
        }
    }

    /// How many of the pooled connections are open now.
    var openConnections: Int {
        slots.count { $0.isConnected }
    }

    /// Closes every connection; calls made afterwards open new ones.
    public func close() {
        for slot in slots { slot.close() }
    }

    private func send(_ method: RPCMethod, _ params: [String: JSON], mayRetry: Bool) async throws -> JSON {
        let turn = { self.cursor.wrappingAdd(1, ordering: .relaxed).oldValue }
        let slot: PoolSlot
        if let here = MultiThreadedEventLoopGroup.currentEventLoop.flatMap({ slotsByLoop[ObjectIdentifier($0)] }) {
            // The loop's first open connection takes all its calls, so that the calls of one loop
            // turn reach authd in one write and come back in few reads; the others take over
            // when it closes.
            slot = here.first { $0.isConnected } ?? here[turn() % here.count]
        } else {
            // A loop without a connection of its own (more loops than connections) takes turns.
            slot = slots[turn() % slots.count]
        }
        let channel = try await slot.channel(connect: connect(on:))
        let response = channel.eventLoop.makePromise(of: JSON.self)
        // Not flushed here: the handler flushes once per event loop turn.
        channel.write(PendingCall(method: method, params: params, response: response)).whenFailure { _ in
            response.fail(CallFailure.notSent)
        }
        do {
            return try await response.futureResult.get()
        } catch let failure as CallFailure where mayRetry && Self.isSafeToRetry(failure, method) {
            // The connection died under us (authd restarted or closed it while idle): one more
            // try on a fresh connection, when repeating the call cannot do anything twice.
            return try await send(method, params, mayRetry: false)
        }
    }

    private static func isSafeToRetry(_ failure: CallFailure, _ method: RPCMethod) -> Bool {
        switch failure {
        case .notSent: true
        case .connectionClosed: [.usersGet, .usersList, .verify, .health].contains(method)
        case .timedOut: false
        }
    }

    private func connect(on eventLoop: any EventLoop) -> EventLoopFuture<any Channel> {
        let timeout = callTimeout
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(2))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(allTimeout: .seconds(30)),
                        // authd never sends a line near this long; a peer that does is not authd.
                        ByteToMessageHandler(LineFrameDecoder(maxLength: 16 << 20, lastLine: .drop)),
                        RPCClientHandler(timeout: timeout),
                    ])
                }
            }
            .connect(unixDomainSocketPath: socketPath)
    }
}
