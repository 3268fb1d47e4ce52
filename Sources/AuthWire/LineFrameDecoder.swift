import NIOCore

/// One frame off the wire: a line without its terminator, or the news that a line
/// grew past the limit (the connection is then closed).
public enum Frame {
    case line(ByteBuffer)
    case tooLong
}

/// `LineScanner` as a NIO decoder, for the daemon and the NIO clients of its socket.
/// After a line too long it discards whatever else arrives, so that the reader can
/// answer before it closes.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    /// What a last line without its newline is worth when the peer closes.
    public enum LastLine: Sendable {
        /// A request all the same (the daemon serves `printf '…' | nc -U`).
        case deliver
        /// Nothing: an answer cut short (the clients).
        case drop
    }

    private var scanner: LineScanner
    private let lastLine: LastLine
    private let skipsBlankLines: Bool
    private var failed = false

    /// - Parameter skipsBlankLines: drop lines of only spaces and tabs here (the daemon),
    ///   so that the handlers after the decoder, the idle timer among them, never see
    ///   them: a peer sending blank lines is idle.
    public init(maxLength: Int, lastLine: LastLine = .deliver, skipsBlankLines: Bool = false) {
        scanner = LineScanner(maxLength: maxLength)
        self.lastLine = lastLine
        self.skipsBlankLines = skipsBlankLines
    }

    private func deliver(_ line: ByteBuffer, _ context: ChannelHandlerContext) {
        if skipsBlankLines, line.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        context.fireChannelRead(wrapInboundOut(.line(line)))
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        switch buffer.withUnsafeReadableBytes({ scanner.scan($0) }) {
        case .line(let length, let consumed):
            let line = buffer.getSlice(at: buffer.readerIndex, length: length)!
            buffer.moveReaderIndex(forwardBy: consumed)
            deliver(line, context)
            return .continue
        case .incomplete:
            return .needMoreData
        case .tooLong:
            failed = true
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            context.fireChannelRead(wrapInboundOut(.tooLong))
            return .needMoreData
        }
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if lastLine == .deliver, !failed, buffer.readableBytes > 0 {
            let length = buffer.withUnsafeReadableBytes { LineScanner.lastLineLength($0) }
            deliver(buffer.getSlice(at: buffer.readerIndex, length: length)!, context)
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
