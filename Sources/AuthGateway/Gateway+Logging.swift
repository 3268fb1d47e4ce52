import AuthSystemd
import Logging

extension Gateway {
    /// The gateway's journal fields: each log metadata item as `AUTHD_GATEWAY_<KEY>`.
    public static let journalSchema = JournalLogHandler.Schema(prefix: "AUTHD_GATEWAY_")

    /// Logs to the journal with those fields when stderr is the journal's stream (as authd
    /// decides it), else plain lines on stderr.
    public static func bootstrapLogging(level: Logger.Level, environment: [String: String]) {
        ServiceLogging.bootstrap(level: LogLevelBox(level), schema: journalSchema, environment: environment)
    }
}
