#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization

/// How authd and the gateway log: to the journal with structured fields when stderr is
/// the journal's own stream (`JOURNAL_STREAM` names it), else plain lines on stderr;
/// both at one level that the program may change while it runs.
public enum ServiceLogging {
    /// Installs the handlers for the process (once: swift-log allows one bootstrap).
    /// - Parameter schema: the program's journal field prefix and MESSAGE_IDs.
    public static func bootstrap(level: LogLevelBox, schema: JournalLogHandler.Schema, environment: [String: String]) {
        let toJournal = Systemd.stderrIsJournal(environment)
        LoggingSystem.bootstrap { label -> any LogHandler in
            if toJournal { return JournalLogHandler(label: label, level: level, schema: schema) }
            return StderrLogHandler(label: label, level: level)
        }
    }
}

/// A log level shared by handlers and changed at run time.
public final class LogLevelBox: Sendable {
    private let index: Atomic<Int>

    public init(_ level: Logger.Level) {
        index = Atomic(Self.levels.firstIndex(of: level)!)
    }

    private static let levels = Logger.Level.allCases

    public var value: Logger.Level {
        get { Self.levels[index.load(ordering: .relaxed)] }
        set { index.store(Self.levels.firstIndex(of: newValue)!, ordering: .relaxed) }
    }
}
