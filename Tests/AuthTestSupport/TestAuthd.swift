import AuthWire
import Foundation

/// A real `authd` process on a socket in a directory of its own, the one launcher of
/// both suites: SQLite in that directory unless told a database, bcrypt cost 4 (fast
/// tests) unless the arguments say otherwise, the test secret, and the directory as its
/// working directory (where it reads `.env`).
public final class TestAuthd: @unchecked Sendable {
    // @unchecked: each test owns its daemon and drives it from one task at a time.
    public let directory: String
    public let socketPath: String
    /// What `--database` says.
    public let databaseURL: String
    private let arguments: [String]
    private let environment: [String: String]
    private var running: SpawnedProcess?

    public static var program: String { "\(binDirectory)/authd" }

    public init(_ arguments: [String] = [], database: String? = nil, environment: [String: String] = [:],
                directory: String = makeTestDirectory()) async throws
    {
        self.directory = directory
        socketPath = "\(directory)/authd.sock"
        // The suite's storage (TestBackend) unless the test names one.
        databaseURL = try database ?? (TestBackend.isPostgres ? TestBackend.newPostgresDatabase() : "sqlite:\(directory)/authd.db")
        var args = ["--socket", socketPath, "--database", databaseURL]
        if !arguments.contains("--bcrypt-cost") { args += ["--bcrypt-cost", "4"] }
        self.arguments = args + arguments
        self.environment = ["JWT_SECRET_KEY": testSecret, "AUTHD_MFA_KEY": testMFAKey].merging(environment) { _, given in given }
        try await start()
    }

    public var logPath: String { "\(directory)/authd.log" }
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The process now (or the last one, once stopped).
    public var process: SpawnedProcess { running! }

    /// Starts authd (again) and waits until it answers on its socket.
    public func start() async throws {
        let process = try SpawnedProcess(Self.program, arguments, log: logPath, environment: environment, directory: directory)
        running = process
        let answered = await eventually { UnixSocket.isAnswering(socketPath) || !process.isRunning }
        guard answered, process.isRunning else {
            throw TestSetupError(description: "authd did not start; its log:\n\(log)")
        }
    }

    /// SIGTERM, and the exit status (0 for a clean stop).
    @discardableResult
    public func stop() -> Int32 { running?.stop() ?? -1 }

    public func restart() async throws {
        stop()
        try await start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
