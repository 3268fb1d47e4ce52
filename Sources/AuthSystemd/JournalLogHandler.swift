#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Logs to the systemd journal through `sd_journal_sendv`, with structured fields: every
/// metadata item as `<PREFIX><KEY>` (authd's `AUTHD_USER_ID`, the gateway's
/// `AUTHD_GATEWAY_STATUS`), a fixed `MESSAGE_ID` for each event the program's schema
/// names, `PRIORITY`, `SYSLOG_IDENTIFIER` and the code location. Used when stderr is the
/// journal's stream; an entry the journal refuses is written to stderr instead.
public struct JournalLogHandler: LogHandler {
    /// One journal field, `NAME=value`.
    public struct Field: Equatable, Sendable {
        public let name: String
        public let value: String
    }

    /// What a program's entries carry besides the message: the prefix of its field names,
    /// and the MESSAGE_ID of each event (the value of an entry's `event` metadata item).
    public struct Schema: Sendable {
        public let prefix: String
        public let messageIDs: [String: String]

        public init(prefix: String, messageIDs: [String: String] = [:]) {
            self.prefix = prefix
            self.messageIDs = messageIDs
        }

        /// `user_id` becomes `AUTHD_USER_ID`: journal field names are upper-case letters,
        /// digits and underscores, at most 64 characters.
        public func fieldName(_ key: String) -> String {
            let cleaned = key.uppercased().unicodeScalars.map { scalar -> Character in
                ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
            }
            return String((prefix + String(cleaned)).prefix(64))
        }
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let level: LogLevelBox
    private let schema: Schema
    private let send: @Sendable ([Field]) -> Bool

    /// - Parameter send: where entries go; the journal unless a test captures them.
    public init(label: String, level: LogLevelBox, schema: Schema,
                send: @escaping @Sendable ([Field]) -> Bool = Systemd.sendToJournal)
    {
        self.label = label
        self.level = level
        self.schema = schema
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
        let fields = Self.fields(label: label, schema: schema, event: event, metadata: merged)
        if !send(fields) {
            let text = fields.first { $0.name == "MESSAGE" }?.value ?? event.message.description
            var line = "\(event.level) \(label): \(text)\n"
            line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    /// The fields of one entry; separate from sending so that tests can check them.
    static func fields(label: String, schema: Schema, event: LogEvent, metadata: Logger.Metadata) -> [Field] {
        let items = metadata.sorted { $0.key < $1.key }
        var message = event.message.description
        for (key, value) in items { message += " \(key)=\(value)" }
        var fields = [
            Field(name: "MESSAGE", value: message),
            Field(name: "PRIORITY", value: String(priority(event.level))),
            Field(name: "SYSLOG_IDENTIFIER", value: label),
        ]
        if case .string(let name)? = metadata["event"], let id = schema.messageIDs[name] {
            fields.append(Field(name: "MESSAGE_ID", value: id))
        }
        for (key, value) in items {
            fields.append(Field(name: schema.fieldName(key), value: "\(value)"))
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
}
