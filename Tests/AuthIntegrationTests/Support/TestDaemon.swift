import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import AuthWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension PostgresCluster {
    /// Whether PostgreSQL's server programs are installed. In CI (CI=true) their
    /// absence is a failure, never a silent skip.
    static var isInstalled: Bool {
        if binDirectory != nil { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("PostgreSQL is not installed, and CI requires the PostgreSQL tests to run")
        }
        return false
    }
}

/// `TestAuthd` on the storage the suite runs against, with the integration tests' ways in:
/// a client, and SQL behind the daemon's back.
final class TestDaemon: @unchecked Sendable {
    // @unchecked: each test owns its daemon and drives it from one task.
    private let authd: TestAuthd

    var directory: String { authd.directory }
    var socketPath: String { authd.socketPath }
    var databasePath: String { "\(directory)/authd.db" }
    /// What `--database` says.
    var databaseURL: String { authd.databaseURL }
    var process: SpawnedProcess { authd.process }
    var logPath: String { authd.logPath }
    var log: String { authd.log }

    static var authd: String { TestAuthd.program }
    static var authctl: String { "\(binDirectory)/authctl" }

    /// Starts authd and waits until it answers.
    init(_ arguments: [String] = [], environment: [String: String] = [:], directory: String? = nil) async throws {
        let dir = directory ?? makeTestDirectory()
        authd = try await TestAuthd(arguments, environment: environment, directory: dir)
    }

    func client() throws -> AuthClient { try AuthClient(path: socketPath) }

    /// Runs SQL on the daemon's database behind its back and returns the first column
    /// of the first row (or "").
    @discardableResult
    func sql(_ query: String) throws -> String {
        if TestBackend.isPostgres {
            let r = try run("\(PostgresCluster.binDirectory!)/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", databaseURL, "-c", query])
            #expect(r.status == 0, "psql failed: \(r.stderr)")
            return r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        }
        return try python("""
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1]); row = db.execute(sys.argv[2]).fetchone(); db.commit()
            print(row[0] if row else "")
            """, [databasePath, query])
    }

    static func isSocketAnswering(_ path: String) -> Bool { UnixSocket.isAnswering(path) }

    /// Sends SIGTERM and returns the exit status.
    @discardableResult
    func stop() -> Int32 { authd.stop() }

    func restart() async throws { try await authd.restart() }
}

/// The result of running a program to completion.
struct Completed {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program with optional standard input and waits for it.
func run(_ executable: String, _ arguments: [String], stdin: String? = nil, environment: [String: String]? = nil) throws -> Completed {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = input
    try p.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read before waiting, so a full pipe cannot block the child.
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Completed(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// Runs Python 3 code and returns its standard output, failing the test on an error.
func python(_ code: String, _ arguments: [String] = []) throws -> String {
    let r = try run("/usr/bin/env", ["python3", "-c", code] + arguments)
    #expect(r.status == 0, "python failed: \(r.stderr)")
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
}
