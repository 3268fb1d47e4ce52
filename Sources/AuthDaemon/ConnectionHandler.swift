import AuthCore
import AuthInterface
import AuthJSON
import AuthThreads
import AuthWire
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
    /// authd is stopping: close once what is in flight is answered.
    private var quiescing = false
    /// Requests read so far; a connection that has sent none yet when authd stops is
    /// given `firstRequestGrace` to send it.
    private var received = 0
    private var readingPaused = false
    private var needsFlush = false
    private let executor: EventLoopTaskExecutor
    /// Whether authd has begun to stop, for a handler added after the quiesce event went by.
    private let stopping: @Sendable () -> Bool

    /// Requests one connection may have in flight before authd stops reading from it.
    static let maxPending = 256
    /// How long a connection accepted just before a stop may take to send its first
    /// request: its client connected to send one, and closing it unread would reset it
    /// (the request lost, not refused), where the next authd would have answered.
    static let firstRequestGrace = TimeAmount.seconds(1)

    init(dispatcher: RPCDispatcher, caller: Caller, maxRequestBytes: Int, inFlight: InFlightRequests, eventLoop: any EventLoop,
         stopping: @escaping @Sendable () -> Bool) {
        self.executor = EventLoopTaskExecutor(eventLoop)
        self.stopping = stopping
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
            dispatch(buffer, context: context)
        }
    }

    private func dispatch(_ line: ByteBuffer, context: ChannelHandlerContext) {
        received += 1
        inFlight.begin()
        let channel = context.channel
        let dispatcher = self.dispatcher
        let caller = self.caller
        switch dispatcher.prepare(line.readableBytesView, caller: caller) {
        case .answered(let answer):
            pending += 1
            finished(answer, channel, weight: 1)
        case .parsed(let request):
            // A batch's members count one each, so that batches cannot pass the limit.
            let weight = RPCDispatcher.weight(of: request)
            pending += weight
            updateReading(channel)
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            Task(executorPreference: executor) {
                let answer = await dispatcher.handle(parsed: request, caller: caller)
                // The task ran on this connection's loop: the handler is safe to use here.
                handler.value.finished(answer, channel, weight: weight)
            }
        }
    }

    private func finished(_ answer: [UInt8]?, _ channel: Channel, weight: Int) {
        if var answer {
            answer.append(UInt8(ascii: "\n"))
            channel.write(channel.allocator.buffer(bytes: answer), promise: nil)
            scheduleFlush(channel)
        }
        pending -= weight
        inFlight.end()
        if (inputClosed || quiescing) && pending == 0 { Self.flushAndClose(channel) }
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
            // The client has sent all it will: answer what is pending, then close.
            inputClosed = true
            if pending == 0 { Self.flushAndClose(context.channel) }
        case is ChannelShouldQuiesceEvent:
            quiesce(context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Set up after the stop began (the peer's groups were being looked up): the
        // quiesce event has gone by.
        if stopping() { quiesce(context) }
    }

    /// authd is stopping: answer what is pending, then close; a connection that has not
    /// sent its first request yet gets a moment to send it.
    private func quiesce(_ context: ChannelHandlerContext) {
        guard !quiescing else { return }
        quiescing = true
        guard pending == 0 else { return }
        if received > 0 { return Self.flushAndClose(context.channel) }
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: Self.firstRequestGrace) {
            if handler.value.pending == 0 { Self.flushAndClose(channel) }
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
