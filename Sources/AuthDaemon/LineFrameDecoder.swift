import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// One frame off the wire: a line without its terminator, or the news that a line
/// grew past the limit (the connection is then closed).
public enum Frame {
    case line(ByteBuffer)
    case tooLong
}

/// Splits a byte stream at `\n` (dropping a trailing `\r`), refusing lines longer
/// than `maxLength` bytes without ever buffering more than that.
public struct LineFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = Frame

    let maxLength: Int
    private var scanned = 0
    private var failed = false

    public init(maxLength: Int) {
        self.maxLength = maxLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if failed {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            return .needMoreData
        }
        let readable = buffer.readableBytes
        let newline = buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard scanned < bytes.count, let base = bytes.baseAddress,
                  let found = memchr(base + scanned, 0x0A, bytes.count - scanned) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        if let newline {
            var length = newline
            scanned = 0
            if length > maxLength {
                fail(context, &buffer)
                return .needMoreData
            }
            var line = buffer.readSlice(length: length + 1)!
            if length > 0, line.getInteger(at: line.readerIndex + length - 1, as: UInt8.self) == UInt8(ascii: "\r") {
                length -= 1
            }
            context.fireChannelRead(wrapInboundOut(.line(line.getSlice(at: line.readerIndex, length: length)!)))
            return .continue
        }
        scanned = readable
        if readable > maxLength { fail(context, &buffer) }
        return .needMoreData
    }

    private mutating func fail(_ context: ChannelHandlerContext, _ buffer: inout ByteBuffer) {
        failed = true
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        context.fireChannelRead(wrapInboundOut(.tooLong))
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A last line without its newline is still a request.
        while try decode(context: context, buffer: &buffer) == .continue {}
        if !failed, buffer.readableBytes > 0, let rest = buffer.readSlice(length: buffer.readableBytes) {
            var line = rest
            if line.readableBytes > 0, line.getInteger(at: line.writerIndex - 1, as: UInt8.self) == UInt8(ascii: "\r") {
                line.moveWriterIndex(to: line.writerIndex - 1)
            }
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        return .needMoreData
    }
}
