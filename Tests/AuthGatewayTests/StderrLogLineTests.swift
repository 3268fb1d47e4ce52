@testable import AuthSystemd
import Logging
import Synchronization
import Testing

/// The gateway's own stderr lines must read exactly as swift-log's `StreamLogHandler` writes
/// them (what authd writes, and what anyone parsing the plain log expects).
@Suite struct StderrLogLineTests {
    final class Lines: TextOutputStream, Sendable {
        let text = Mutex("")
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    /// The line without its leading time, which each handler reads from the clock itself.
    static func withoutTime(_ line: String) -> Substring {
        line.drop { $0 != " " }
    }

    @Test(arguments: [
        Logger.Metadata(),
        ["method": "GET", "path": "/api/users/7", "route": "/api/users/{id}", "status": .stringConvertible(200),
         "duration_us": .stringConvertible(812), "client": "203.0.113.9"],
        ["error": .stringConvertible(42), "list": ["a", "b"], "nested": ["k": "v"]],
    ])
    func linesAreStreamLogHandlersLines(metadata: Logger.Metadata) {
        let lines = Lines()
        let stream = StreamLogHandler(label: "authd-gateway", stream: lines, metadataProvider: nil)
        for level in Logger.Level.allCases {
            let event = LogEvent(level: level, message: "request", metadata: metadata, source: "AuthGateway",
                                 file: #fileID, function: #function, line: #line)
            lines.text.withLock { $0 = "" }
            stream.log(event: event)
            let expected = lines.text.withLock { $0 }
            let ours = StderrLogHandler.line(label: "authd-gateway", event: event, metadata: metadata, timestamp: StderrLogHandler.timestamp())
            #expect(Self.withoutTime(ours) == Self.withoutTime(expected))
            #expect(ours.hasSuffix("\n"))
        }
    }

    @Test func theTimeIsStreamLogHandlersFormat() {
        let time = StderrLogHandler.timestamp()
        // 2026-11-28T09:33:19+0000
        #expect(time.count == 24, "got \(time)")
        #expect(time.split(separator: "T").count == 2)
    }
}
