import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The secret every test daemon signs with, so that Python peers can share it.
let testSecret = "integration-test-secret-0123456789abcdef"

/// The storage the integration suite runs against: SQLite unless
/// AUTHD_TEST_BACKEND=postgres, when every daemon gets a database of its own in one
/// throwaway cluster (stopped when the test process exits).
enum TestBackend {
    static let isPostgres = ProcessInfo.processInfo.environment["AUTHD_TEST_BACKEND"] == "postgres"

    nonisolated(unsafe) private static var cluster: PostgresCluster?
    private static let shared: PostgresCluster = {
        let c = try! PostgresCluster()
        cluster = c
        atexit { TestBackend.cluster?.stopIfRunning() }
        return c
    }()

    /// A new, empty database's URL.
    static func newPostgresDatabase() throws -> String {
        let name = "t_\(UUID().uuidString.prefix(8).lowercased())"
        try shared.psql("CREATE DATABASE \(name)")
        return shared.url(database: name)
    }
}

/// A real `authd` process on a temporary socket and SQLite file.
final class TestDaemon: @unchecked Sendable {
    // @unchecked: each test owns its daemon and drives it from one task.
    let directory: String
    let socketPath: String
    let databasePath: String
    /// What `--database` says.
    let databaseURL: String
    let arguments: [String]
    let environment: [String: String]
    private(set) var process: Process
    private let logPipe = Pipe()

    /// Where `swift build` put the executables: beside the test bundle.
    static let binDirectory: String = {
        if let dir = ProcessInfo.processInfo.environment["AUTHD_BIN_DIR"] { return dir }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("authd").path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url.path
    }()

    static var authd: String { "\(binDirectory)/authd" }
    static var authctl: String { "\(binDirectory)/authctl" }

    /// Starts authd with bcrypt cost 4 (fast tests) unless `arguments` says otherwise,
    /// and waits until it answers.
    init(_ arguments: [String] = [], environment: [String: String] = [:], directory: String? = nil) async throws {
        let dir = directory ?? Self.makeDirectory()
        self.directory = dir
        socketPath = "\(dir)/authd.sock"
        databasePath = "\(dir)/authd.db"
        databaseURL = TestBackend.isPostgres ? try TestBackend.newPostgresDatabase() : "sqlite:\(databasePath)"
        var args = ["--socket", socketPath, "--database", databaseURL]
        if !arguments.contains("--bcrypt-cost") { args += ["--bcrypt-cost", "4"] }
        self.arguments = args + arguments
        var env = ProcessInfo.processInfo.environment
        env["JWT_SECRET_KEY"] = testSecret
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "LISTEN_FDS")
        env.merge(environment) { _, new in new }
        self.environment = env
        process = Process()
        try await launch()
    }

    static func makeDirectory() -> String {
        let dir = "/tmp/authd-test-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // Unprivileged test peers must reach the socket inside.
        chmod(dir, 0o755)
        return dir
    }

    private func launch() async throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.authd)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let log = FileHandle(forWritingAtPath: logPath) ?? {
            FileManager.default.createFile(atPath: logPath, contents: nil)
            return FileHandle(forWritingAtPath: logPath)!
        }()
        log.seekToEndOfFile()
        process.standardError = log
        process.standardOutput = log
        try process.run()
        try await waitUntilAnswering()
    }

    var logPath: String { "\(directory)/authd.log" }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func waitUntilAnswering() async throws {
        for _ in 0..<500 {
            if (try? AuthClient(path: socketPath)) != nil { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("authd did not start; its log:\n\(log)")
        throw ClientError.unreachable(path: socketPath, reason: "did not start")
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

    static func isSocketAnswering(_ path: String) -> Bool { (try? AuthClient(path: path)) != nil }

    /// Sends SIGTERM and returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    func restart() async throws {
        stop()
        try await launch()
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
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
