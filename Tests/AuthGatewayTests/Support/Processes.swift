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
