import AuthSystemd
import Logging

extension Gateway {
    /// The gateway's journal fields: each log metadata item as `AUTHD_GATEWAY_<KEY>`.
    public static let journalSchema = JournalLogHandler.Schema(prefix: "AUTHD_GATEWAY_")

    /// `ServiceLogging` with the gateway's journal fields.
    public static func bootstrapLogging(level: Logger.Level, environment: [String: String]) {
        ServiceLogging.bootstrap(level: LogLevelBox(level), schema: journalSchema, environment: environment)
    }
}
