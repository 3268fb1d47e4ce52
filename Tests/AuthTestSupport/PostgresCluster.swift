import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL cluster of the test's own, on a free port and a private
/// socket directory, that a test may stop and start at will.
public final class PostgresCluster: @unchecked Sendable {
    // @unchecked: driven by one test at a time.
    public let base: String
    public let port: Int
    public var socketDirectory: String { "\(base)/sock" }

    public static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap { Int($0) }.max().map { "\(root)/\($0)/bin" }
    }()

    /// - Parameter password: when given, the superuser `postgres` gets it and every
    ///   connection must authenticate with SCRAM.
    public init(password: String? = nil) throws {
        base = "/tmp/authd-pg-\(UUID().uuidString.prefix(8))"
        port = try freePort()
        try FileManager.default.createDirectory(atPath: "\(base)/sock", withIntermediateDirectories: true)
        var initdb = ["-D", "\(base)/data", "-U", "postgres", "--no-sync"]
        if let password {
            try password.write(toFile: "\(base)/pw", atomically: true, encoding: .utf8)
            initdb += ["-A", "scram-sha-256", "--pwfile", "\(base)/pw"]
        } else {
            initdb += ["-A", "trust"]
        }
        guard spawnAndWait("/bin/chown", ["-R", "postgres:postgres", base], output: "/dev/null") == 0 else {
            throw ClusterError(message: "chown of \(base) failed")
        }
        try asPostgres("initdb", initdb)
        try start()
    }

    public func start() throws {
        try asPostgres("pg_ctl", ["-D", "\(base)/data", "-l", "\(base)/log", "-w", "-t", "30", "start", "-o",
                                  "-p \(port) -k \(socketDirectory) -c listen_addresses=127.0.0.1 -c fsync=off"])
    }

    public func stop() throws {
        try asPostgres("pg_ctl", ["-D", "\(base)/data", "-m", "fast", "-w", "stop"])
    }

    /// A URL for the `postgres` superuser on the Unix socket.
    public func url(database: String = "postgres") -> String {
        "postgresql:///\(database)?host=\(socketDirectory)&port=\(port)&user=postgres"
    }

    /// Runs SQL through psql and returns its unaligned output; throws with psql's
    /// message when it fails.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let output = "\(base)/psql-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = spawnAndWait("\(Self.binDirectory!)/psql",
                                  ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database: database), "-c", sql], output: output)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ClusterError(message: "psql failed: \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a PostgreSQL program as the postgres user, its output to a log file.
    /// Not through Foundation's Process: the server pg_ctl starts would inherit the
    /// descriptor Process watches for the child's exit, and the wait would never end.
    private func asPostgres(_ program: String, _ arguments: [String]) throws {
        let logPath = "\(base)/ctl.log"
        let status = spawnAndWait("/usr/sbin/runuser", ["-u", "postgres", "--", "\(Self.binDirectory!)/\(program)"] + arguments, output: logPath)
        if status != 0 {
            let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw ClusterError(message: "\(program) failed: \(output)")
        }
    }

    /// Stops the server if it runs, quietly (a test may have stopped it already).
    public func stopIfRunning() {
        _ = spawnAndWait("/usr/sbin/runuser", ["-u", "postgres", "--", "\(Self.binDirectory!)/pg_ctl", "-D", "\(base)/data",
                                               "-m", "immediate", "-w", "stop"], output: "/dev/null")
    }

    deinit {
        stopIfRunning()
        try? FileManager.default.removeItem(atPath: base)
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The storage the suites with a real authd run against: SQLite unless
/// AUTHD_TEST_BACKEND=postgres, when every daemon gets a database of its own in one
/// throwaway cluster (stopped when the test process exits).
public enum TestBackend {
    public static let isPostgres = ProcessInfo.processInfo.environment["AUTHD_TEST_BACKEND"] == "postgres"

    nonisolated(unsafe) private static var cluster: PostgresCluster?
    private static let shared: PostgresCluster = {
        let c = try! PostgresCluster()
        cluster = c
        atexit { TestBackend.cluster?.stopIfRunning() }
        return c
    }()

    /// A new, empty database's URL.
    public static func newPostgresDatabase() throws -> String {
        let name = "t_\(UUID().uuidString.prefix(8).lowercased())"
        try shared.psql("CREATE DATABASE \(name)")
        return shared.url(database: name)
    }
}

/// Runs a program to its end with stdin from /dev/null and stdout and stderr appended to
/// `output`; its exit status (-1 when it could not start).
public func spawnAndWait(_ path: String, _ arguments: [String], output: String) -> Int32 {
    (try? SpawnedProcess(path, arguments, log: output))?.waitUntilExit() ?? -1
}
