import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Plain log lines on stderr, outside the journal, for authd and the gateway: the very
/// lines of swift-log's `StreamLogHandler` (`<time> <level> <label>: k=v … [<source>] <message>`),
/// made for the gateway's line per request. The time is formatted once a second rather than per line,
/// and a line goes out in one `write(2)` of its own, not through the `FILE` lock that the
/// event loops would otherwise queue on.
struct StderrLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let level: LogLevelBox

    init(label: String, level: LogLevelBox, metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider) {
        self.label = label
        self.level = level
        self.metadataProvider = metadataProvider
    }

    /// Shared by every handler, so that a change of level reaches all loggers at once.
    var logLevel: Logger.Level {
        get { level.value }
        set { level.value = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = Self.line(label: label, event: event, metadata: effectiveMetadata(event), timestamp: Self.timestamp())
        line.withUTF8 { bytes in
            var rest = UnsafeRawBufferPointer(bytes)
            while !rest.isEmpty {
                let written = write(2, rest.baseAddress, rest.count)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }  // nowhere to complain to
                rest = UnsafeRawBufferPointer(rebasing: rest[written...])
            }
        }
    }

    /// As `StreamLogHandler` merges them: the handler's own, the provider's, the event's, and its error.
    private func effectiveMetadata(_ event: LogEvent) -> Logger.Metadata {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty { merged.merge(provided) { _, new in new } }
        if let given = event.metadata, !given.isEmpty { merged.merge(given) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return merged
    }

    /// One line, newline included; separate from writing so that tests can compare it.
    static func line(label: String, event: LogEvent, metadata: Logger.Metadata, timestamp: String) -> String {
        var line = timestamp
        line.reserveCapacity(160)
        line += " "
        line += event.level.rawValue
        if !label.isEmpty { line += " " }
        line += label
        line += ":"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " "
            line += key
            line += "="
            switch value {
            case .string(let text): line += text
            default: line += value.description
            }
        }
        line += " ["
        line += event.source
        line += "] "
        line += event.message.description
        line += "\n"
        return line
    }

    /// The local time as `StreamLogHandler` writes it (`%Y-%m-%dT%H:%M:%S%z`), formatted
    /// again only when the second changes.
    static func timestamp() -> String {
        let now = time(nil)
        if let text = lastTimestamp.withLock({ $0.second == now ? $0.text : nil }) { return text }
        var clock = now
        var parts = tm()
        var buffer = [CChar](repeating: 0, count: 64)
        guard localtime_r(&clock, &parts) != nil, strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts) > 0 else {
            return "<unknown>"
        }
        let text = String(cString: buffer)
        lastTimestamp.withLock { $0 = (now, text) }
        return text
    }

    private static let lastTimestamp = Mutex<(second: time_t, text: String)>((-1, ""))
}
