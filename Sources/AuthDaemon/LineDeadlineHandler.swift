import NIOCore

/// Closes a connection whose line is not complete `timeout` after its first byte, so
/// that a peer cannot hold a connection by trickling a line a byte at a time (an idle
/// timer restarts on every byte). It looks at the bytes before they are framed.
final class LineDeadlineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytesView
        if let newline = bytes.lastIndex(of: UInt8(ascii: "\n")) {
            // The open line, if any, ended here; bytes after the newline begin the next.
            deadline?.cancel()
            deadline = nil
            if bytes.index(after: newline) != bytes.endIndex { start(context) }
        } else if deadline == nil, !bytes.isEmpty {
            start(context)
        }
        context.fireChannelRead(data)
    }

    private func start(_ context: ChannelHandlerContext) {
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }
}
