import NIOCore
import NIOEmbedded
import Testing
import AuthWire

@Suite struct FramingTests {
    private func channel(maxLength: Int) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: maxLength)))
        return channel
    }

    private func write(_ channel: EmbeddedChannel, _ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// Every frame emitted so far, lines as strings and `.tooLong` as nil.
    private func frames(_ channel: EmbeddedChannel) throws -> [String?] {
        var out: [String?] = []
        while let frame = try channel.readInbound(as: Frame.self) {
            switch frame {
            case .line(let buffer): out.append(String(buffer: buffer))
            case .tooLong: out.append(nil)
            }
        }
        return out
    }

    @Test func splitsLinesAtNewline() throws {
        let ch = try channel(maxLength: 100)
        try write(ch, "first\nsecond\n")
        #expect(try frames(ch) == ["first", "second"])
        try write(ch, "third")
        #expect(try frames(ch) == [])
        try write(ch, "\n")
        #expect(try frames(ch) == ["third"])
        _ = try ch.finish()
    }

    @Test func stripsCarriageReturnBeforeNewline() throws {
        let ch = try channel(maxLength: 100)
        try write(ch, "a\r\nb\n\r\n")
        #expect(try frames(ch) == ["a", "b", ""])
        _ = try ch.finish()
    }

    @Test func keepsCarriageReturnInsideALine() throws {
        let ch = try channel(maxLength: 100)
        try write(ch, "a\rb\n")
        #expect(try frames(ch) == ["a\rb"])
        _ = try ch.finish()
    }

    @Test func bytesFedOneAtATimeMakeTheSameLines() throws {
        let ch = try channel(maxLength: 100)
        var seen: [String?] = []
        for byte in Array(#"{"id":1}"#.utf8) + [0x0D, 0x0A] + Array("xyz\n".utf8) {
            var buffer = ch.allocator.buffer(capacity: 1)
            buffer.writeInteger(byte)
            try ch.writeInbound(buffer)
            seen += try frames(ch)
        }
        #expect(seen == [#"{"id":1}"#, "xyz"])
        _ = try ch.finish()
    }

    @Test func twoLinesInOneWrite() throws {
        let ch = try channel(maxLength: 100)
        try write(ch, "one\ntwo\nthr")
        #expect(try frames(ch) == ["one", "two"])
        try write(ch, "ee\n")
        #expect(try frames(ch) == ["three"])
        _ = try ch.finish()
    }

    @Test func lineOfExactlyMaxLengthIsAccepted() throws {
        let ch = try channel(maxLength: 8)
        try write(ch, "12345678")
        #expect(try frames(ch) == [])
        try write(ch, "\n")
        #expect(try frames(ch) == ["12345678"])
        try write(ch, "abcdefgh\n")
        #expect(try frames(ch) == ["abcdefgh"])
        _ = try ch.finish()
    }

    @Test func lineOfMaxLengthPlusOneIsTooLong() throws {
        let ch = try channel(maxLength: 8)
        try write(ch, "123456789\n")
        #expect(try frames(ch) == [nil])
        _ = try ch.finish()
    }

    @Test func tooLongIsReportedBeforeAnyNewlineArrives() throws {
        let ch = try channel(maxLength: 8)
        try write(ch, "12345678")
        #expect(try frames(ch) == [])
        try write(ch, "9")
        #expect(try frames(ch) == [nil])
        _ = try ch.finish()
    }

    @Test func tooLongFedOneByteAtATime() throws {
        let ch = try channel(maxLength: 4)
        var seen: [String?] = []
        for c in "abcdefgh\nok\n" {
            try write(ch, String(c))
            seen += try frames(ch)
        }
        #expect(seen == [nil])
        _ = try ch.finish()
    }

    @Test func nothingIsEmittedAfterTooLong() throws {
        let ch = try channel(maxLength: 8)
        try write(ch, "ok\n0123456789")
        #expect(try frames(ch) == ["ok", nil])
        try write(ch, "rest\nnext\n")
        try write(ch, "more\n")
        #expect(try frames(ch) == [])
        _ = try ch.finish()
        #expect(try frames(ch) == [])
    }

    @Test func earlierLinesInTheSameWriteSurviveALaterTooLongOne() throws {
        let ch = try channel(maxLength: 4)
        try write(ch, "a\nbb\n0123456789\nc\n")
        #expect(try frames(ch) == ["a", "bb", nil])
        _ = try ch.finish()
    }

    @Test func lastLineWithoutNewlineIsDeliveredAtEOF() throws {
        let ch = try channel(maxLength: 100)
        try write(ch, "a\ntail\r")
        #expect(try frames(ch) == ["a"])
        _ = try ch.finish()
        #expect(try frames(ch) == ["tail"])
    }
}
