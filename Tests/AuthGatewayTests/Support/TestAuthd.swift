import Foundation
import Testing

/// A real `authd` on a temporary socket and SQLite file (bcrypt cost 4, for speed).
final class TestAuthd: @unchecked Sendable {
    // @unchecked: each test owns its daemon and drives it from one task at a time.
    let directory: String
    let socketPath: String
    private var process: SpawnedProcess?

    init(directory: String = makeTestDirectory()) async throws {
        self.directory = directory
        socketPath = "\(directory)/authd.sock"
        try await start()
    }

    var logPath: String { "\(directory)/authd.log" }

    func start() async throws {
        process = try SpawnedProcess("\(binDirectory)/authd",
                                     ["--socket", socketPath, "--database", "sqlite:\(directory)/authd.db", "--bcrypt-cost", "4"],
                                     log: logPath, environment: ["JWT_SECRET_KEY": testSecret])
        for _ in 0..<500 {
            if isAnswering(unixSocket: socketPath) { return }
            if process?.isRunning != true { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw TestSetupError(description: "authd did not start; its log:\n\(log)")
    }

    func stop() {
        process?.stop()
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
