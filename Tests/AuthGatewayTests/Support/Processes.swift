import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where `swift build` put the executables: beside the test bundle (as the integration
/// tests find them), or `AUTHD_BIN_DIR`.
let binDirectory: String = {
    if let dir = ProcessInfo.processInfo.environment["AUTHD_BIN_DIR"] { return dir }
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("authd").path), url.path != "/" {
        url = url.deletingLastPathComponent()
    }
    return url.path
}()

/// The secret test daemons sign with.
let testSecret = "gateway-test-secret-0123456789abcdef0123"

/// A fresh directory under /tmp, short enough for a socket path.
func makeTestDirectory() -> String {
    let dir = "/tmp/authd-gw-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Starts a program with its output appended to `log`.
func launch(_ executable: String, _ arguments: [String], log: String, environment: [String: String] = [:]) throws -> Process {
    if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
    let handle = FileHandle(forWritingAtPath: log)!
    handle.seekToEndOfFile()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for name in ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "AUTHD_GATEWAY_LISTEN", "AUTHD_GATEWAY_CORS_ORIGINS"] {
        env.removeValue(forKey: name)
    }
    env.merge(environment) { _, new in new }
    process.environment = env
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
}

/// Sends SIGTERM and waits, then SIGKILL after 5 s: a child inherits the test runner's
/// blocked signals, and one that never unblocks SIGTERM (systemd-socket-activate before
/// it starts the gateway) would otherwise be waited for forever.
func terminate(_ process: Process) {
    guard process.isRunning else { return }
    process.terminate()
    for _ in 0..<250 where process.isRunning { usleep(20_000) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
}

/// Whether something accepts connections on a Unix socket path.
func isAnswering(unixSocket path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { raw in
        raw.copyBytes(from: Array(path.utf8.prefix(raw.count - 1)) + [0])
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    } == 0
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
}
