import AuthSystemd
import Logging

/// authd's logging: `ServiceLogging` with authd's journal fields (`AUTHD_*`) and the
/// MESSAGE_IDs of its audit events, at a level that a reload can change.
public enum DaemonLogging {
    /// The level every handler reads.
    public static let level = LogLevelBox(.info)

    /// authd's journal fields.
    public static let journalSchema = JournalLogHandler.Schema(prefix: "AUTHD_", messageIDs: AuditCatalog.messageIDs)

    /// Installs the handlers for the process (once: swift-log allows one bootstrap).
    public static func bootstrap(level: Logger.Level, environment: [String: String]) {
        self.level.value = level
        ServiceLogging.bootstrap(level: self.level, schema: journalSchema, environment: environment)
    }
}
