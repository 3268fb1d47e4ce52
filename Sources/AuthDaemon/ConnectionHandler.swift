import AuthCore
import AuthInterface
import AuthJSON
import AuthThreads
import NIOCore

/// One client connection: a line memory can answer (a token check, mostly) is answered
/// as it is read; any other runs in its own task, so a slow request (a password hash)
/// never holds up a fast one sent after it. Answers go out as they are ready, matched
/// by id. The tasks run on the connection's event loop, and answers written in one
/// loop turn go out in one flush.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    private let dispatcher: RPCDispatcher
    private let caller: Caller
    private let maxRequestBytes: Int
    private let inFlight: InFlightRequests
    private var pending = 0
    private var inputClosed = false
    private var readingPaused = false
    private var needsFlush = false
    private let executor: EventLoopTaskExecutor

    /// Requests one connection may have in flight before authd stops reading from it.
    static let maxPending = 256

    init(dispatcher: RPCDispatcher, caller: Caller, maxRequestBytes: Int, inFlight: InFlightRequests, eventLoop: any EventLoop) {
        self.executor = EventLoopTaskExecutor(eventLoop)
        self.dispatcher = dispatcher
        self.caller = caller
        self.maxRequestBytes = maxRequestBytes
        self.inFlight = inFlight
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .tooLong:
            // Answer, stop writing, and let the decoder discard whatever else the client
            // sends until it closes: closing with unread input would reset the connection
            // before the client could read why.
            let error = RPCResponse.failure(id: .null, error: .tooLarge(limit: maxRequestBytes))
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(Self.frame(error, channel.allocator))).whenComplete { _ in
                channel.close(mode: .output, promise: nil)
                channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
            }
        case .line(let buffer):
            if buffer.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            dispatch(buffer, context: context)
        }
    }

    private func dispatch(_ line: ByteBuffer, context: ChannelHandlerContext) {
        pending += 1
        inFlight.begin()
        updateReading(context.channel)
        let channel = context.channel
        let dispatcher = self.dispatcher
        let caller = self.caller
        switch dispatcher.prepare(line.readableBytesView, caller: caller) {
        case .answered(let answer):
            finished(answer, channel)
        case .parsed(let request):
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            Task(executorPreference: executor) {
                let answer = await dispatcher.handle(parsed: request, caller: caller)
                // The task ran on this connection's loop: the handler is safe to use here.
                handler.value.finished(answer, channel)
            }
        }
    }

    private func finished(_ answer: [UInt8]?, _ channel: Channel) {
        if var answer {
            answer.append(UInt8(ascii: "\n"))
            channel.write(channel.allocator.buffer(bytes: answer), promise: nil)
            scheduleFlush(channel)
        }
        pending -= 1
        inFlight.end()
        if inputClosed && pending == 0 { Self.flushAndClose(channel) }
        updateReading(channel)
    }

    /// Backpressure: a client that pipelines without limit, or stops reading its
    /// answers, is no longer read from until it catches up, so that neither its
    /// requests nor its unread answers can grow without bound.
    private func updateReading(_ channel: Channel) {
        let pause = pending >= Self.maxPending || !channel.isWritable
        guard pause != readingPaused else { return }
        readingPaused = pause
        channel.setOption(ChannelOptions.autoRead, value: !pause).whenComplete { _ in }
    }

    /// Flushes once the loop has run what is ready now: answers completed in the same
    /// turn (a pipelined batch of token checks) share one write.
    private func scheduleFlush(_ channel: Channel) {
        guard !needsFlush else { return }
        needsFlush = true
        let handler = NIOLoopBound(self, eventLoop: channel.eventLoop)
        channel.eventLoop.execute {
            handler.value.needsFlush = false
            channel.flush()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        updateReading(context.channel)
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case let idle as IdleStateHandler.IdleStateEvent where idle == .read:
            // Idle means nothing to read and nothing being worked on.
            if pending == 0 { Self.flushAndClose(context.channel) }
        case ChannelEvent.inputClosed:
            // The client has sent all it will; answer what is pending, then close.
            inputClosed = true
            if pending == 0 { Self.flushAndClose(context.channel) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Closes once the answers written but not yet flushed (see `scheduleFlush`) are out.
    private static func flushAndClose(_ channel: Channel) {
        channel.flush()
        channel.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    static func frame(_ json: JSON, _ allocator: ByteBufferAllocator) -> ByteBuffer {
        var bytes = json.serialized()
        bytes.append(UInt8(ascii: "\n"))
        return allocator.buffer(bytes: bytes)
    }
}
