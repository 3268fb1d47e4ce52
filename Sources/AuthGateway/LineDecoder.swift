import NIOCore

/// Splits authd's byte stream into lines, one JSON-RPC response each. authd never sends a
/// line near `maximumLength`; a peer that does is not authd, and the connection is dropped
/// rather than buffered without end.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct LineTooLong: Error {}

    let maximumLength: Int
    /// Bytes already searched for a newline, so a long line is scanned once, not per read.
    private var scanned = 0

    init(maximumLength: Int = 16 << 20) {
        self.maximumLength = maximumLength
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if scanned > maximumLength { throw LineTooLong() }
            return .needMoreData
        }
        let line = buffer.readSlice(length: newline - view.startIndex)!
        buffer.moveReaderIndex(forwardBy: 1)
        scanned = 0
        context.fireChannelRead(Self.wrapInboundOut(line))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A partial last line answers nothing; the calls waiting on it fail when the channel closes.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.clear()
        return .needMoreData
    }
}
