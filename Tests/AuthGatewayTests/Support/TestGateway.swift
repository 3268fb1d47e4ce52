import AuthTestSupport
import Foundation

/// The real `authd-gateway` binary on a port the kernel picked, found in its log, run as
/// nobody (it refuses root).
final class TestGateway: @unchecked Sendable {
    // @unchecked: each test owns its gateway and drives it from one task at a time.
    let directory: String
    let port: Int
    private let process: SpawnedProcess

    var logPath: String { "\(directory)/gateway.log" }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var client: HTTPTestClient { HTTPTestClient(port: port) }

    init(socket: String, arguments: [String] = [], environment: [String: String] = [:],
         directory: String = makeTestDirectory()) async throws
    {
        self.directory = directory
        let log = "\(directory)/gateway.log"
        process = try SpawnedProcess(setpriv, asNobody + ["\(binDirectory)/authd-gateway", "--socket", socket, "--listen", "127.0.0.1:0"] + arguments,
                                     log: log, environment: environment)
        port = try await Self.waitForPort(log: log, process: process)
    }

    /// Waits for the "listening" line and reads the port from its `address=HOST:PORT`.
    static func waitForPort(log: String, process: SpawnedProcess) async throws -> Int {
        for _ in 0..<500 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasSuffix("listening") {
                if let field = line.split(separator: " ").first(where: { $0.hasPrefix("address=") }),
                   let port = field.split(separator: ":").last.flatMap({ Int($0) })
                {
                    return port
                }
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw TestSetupError(description: "the gateway did not start; its log:\n\(text)")
    }

    /// SIGTERM, and the exit status (0 for a clean shutdown).
    func stop() -> Int32 { process.stop() }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
