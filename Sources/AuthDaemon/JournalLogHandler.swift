import Foundation
import Logging

/// Logs to the systemd journal through `sd_journal_sendv`, with structured fields:
/// `MESSAGE_ID` for each audit event (see `AuditCatalog`), every metadata item as
/// `AUTHD_<KEY>` (`AUTHD_USER_ID`, `AUTHD_PEER_UID`, `AUTHD_METHOD`, `AUTHD_EVENT`),
/// `PRIORITY`, `SYSLOG_IDENTIFIER` and the code location. Used when stderr is the
/// journal's stream; an entry the journal refuses is written to stderr instead.
public struct JournalLogHandler: LogHandler {
    /// One journal field, `NAME=value`.
    public struct Field: Equatable, Sendable {
        public let name: String
        public let value: String
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let level: LogLevelBox
    private let send: @Sendable ([Field]) -> Bool

    /// - Parameter send: where entries go; the journal unless a test captures them.
    public init(label: String, level: LogLevelBox, send: @escaping @Sendable ([Field]) -> Bool = Systemd.sendToJournal) {
        self.label = label
        self.level = level
        self.send = send
    }

    /// Shared by every handler, so that SIGHUP changes the level for all loggers at once.
    public var logLevel: Logger.Level {
        get { level.value }
        set { level.value = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let given = event.metadata { merged.merge(given) { _, new in new } }
        let fields = Self.fields(label: label, event: event, metadata: merged)
        if !send(fields) {
            let text = fields.first { $0.name == "MESSAGE" }?.value ?? event.message.description
            FileHandle.standardError.write(Data("\(event.level) \(label): \(text)\n".utf8))
        }
    }

    /// The fields of one entry; separate from sending so that tests can check them.
    static func fields(label: String, event: LogEvent, metadata: Logger.Metadata) -> [Field] {
        let items = metadata.sorted { $0.key < $1.key }
        var message = event.message.description
        for (key, value) in items { message += " \(key)=\(value)" }
        var fields = [
            Field(name: "MESSAGE", value: message),
            Field(name: "PRIORITY", value: String(priority(event.level))),
            Field(name: "SYSLOG_IDENTIFIER", value: label),
        ]
        if case .string(let name)? = metadata["event"], let id = AuditCatalog.messageIDs[name] {
            fields.append(Field(name: "MESSAGE_ID", value: id))
        }
        for (key, value) in items {
            fields.append(Field(name: fieldName(key), value: "\(value)"))
        }
        fields.append(Field(name: "CODE_FILE", value: event.file))
        fields.append(Field(name: "CODE_LINE", value: String(event.line)))
        fields.append(Field(name: "CODE_FUNC", value: event.function))
        return fields
    }

    /// syslog's priorities, which journalctl -p filters on.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// `user_id` becomes `AUTHD_USER_ID`: journal field names are upper-case letters,
    /// digits and underscores, at most 64 characters.
    static func fieldName(_ key: String) -> String {
        let cleaned = key.uppercased().unicodeScalars.map { scalar -> Character in
            ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
        }
        return String(("AUTHD_" + String(cleaned)).prefix(64))
    }
}
