import AuthInterface
import AuthJSON
import AuthWire
import NIOCore

/// One call on its way to authd, with the promise that its response completes.
struct PendingCall: Sendable {
    var method: RPCMethod
    var params: [String: JSON]
    var response: EventLoopPromise<JSON>
}

/// Why a call got no response from authd.
enum CallFailure: Error, Sendable {
    /// Nothing was written: safe to send again on another connection.
    case notSent
    /// Written, but the connection closed before the response came.
    case connectionClosed
    case timedOut
}

/// Writes calls as JSON-RPC lines under ids of its own and completes each call's promise
/// with the response bearing its id, in whatever order authd answers: many calls share
/// one connection (pipelining) and a slow login never holds up a fast `users.get`.
final class RPCClientHandler: ChannelDuplexHandler {
    typealias InboundIn = Frame
    typealias OutboundIn = PendingCall
    typealias OutboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var nextID: Int64 = 1
    private var pending: [Int64: (promise: EventLoopPromise<JSON>, timer: Scheduled<Void>)] = [:]
    private var flushScheduled = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let call = unwrapOutboundIn(data)
        let id = nextID
        nextID += 1
        var line = RPCRequest(id: .int(id), method: call.method.rawValue, params: call.params).json.serialized()
        line.append(UInt8(ascii: "\n"))
        let timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [self] () -> Void in
            if let entry = pending.removeValue(forKey: id) { entry.promise.fail(CallFailure.timedOut) }
        }
        pending[id] = (call.response, timer)
        // A line that could not be written was not received whole, so authd did not act on it.
        let written = promise ?? context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenFailure { [self] _ in
            guard let entry = pending.removeValue(forKey: id) else { return }
            entry.timer.cancel()
            entry.promise.fail(CallFailure.notSent)
        }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: line)), promise: written)
        // One flush for every call written in this turn of the event loop: concurrent
        // requests reach authd in one write, and authd reads them in one go.
        if !flushScheduled {
            flushScheduled = true
            context.eventLoop.assumeIsolated().execute { [self] in
                flushScheduled = false
                context.flush()
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Through the non-generic entry point: a generic one called from here is not specialized.
        guard case .line(let line) = unwrapInboundIn(data),
              let response = line.withUnsafeReadableBytes({ try? JSONParser.parse(buffer: $0.assumingMemoryBound(to: UInt8.self)) })
        else {
            // Not authd speaking: no later line can be trusted either.
            context.close(promise: nil)
            return
        }
        // An answer with a null id (a refused connection, say) belongs to no call; the close
        // that follows it fails the calls still waiting.
        guard let id = response["id"]?.int64, let entry = pending.removeValue(forKey: id) else { return }
        entry.timer.cancel()
        entry.promise.succeed(response)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(CallFailure.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(CallFailure.connectionClosed)
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Close an idle connection ourselves before authd's idle timeout does, so that a
        // request is never written into a connection authd is closing at that instant.
        if event is IdleStateHandler.IdleStateEvent, pending.isEmpty {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func failAll(_ error: CallFailure) {
        let calls = pending
        pending.removeAll()
        for (_, entry) in calls {
            entry.timer.cancel()
            entry.promise.fail(error)
        }
    }
}
