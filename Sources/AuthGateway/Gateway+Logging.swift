import AuthSystemd
import Logging

extension Gateway {
    /// The gateway's journal fields: each log metadata item as `AUTHD_GATEWAY_<KEY>`.
    public static let journalSchema = JournalLogHandler.Schema(prefix: "AUTHD_GATEWAY_")

    /// Logs to the journal with those fields when stderr is the journal's stream (as authd
    /// decides it), else plain lines on stderr, the same lines as authd's but written by
    /// `StderrLogHandler`, since the gateway writes one per request.
    public static func bootstrapLogging(level: Logger.Level, environment: [String: String]) {
        let level = LogLevelBox(level)
        let toJournal = Systemd.stderrIsJournal(environment)
        LoggingSystem.bootstrap { label -> any LogHandler in
            if toJournal { return JournalLogHandler(label: label, level: level, schema: journalSchema) }
            return StderrLogHandler(label: label, level: level)
        }
    }
}
