import Foundation

/// Where the programs under test are: `AUTHD_TEST_BIN_DIR` (release binaries, say), else
/// where `swift build` put them, beside the test bundle.
public let binDirectory: String = {
    if let dir = ProcessInfo.processInfo.environment["AUTHD_TEST_BIN_DIR"], !dir.isEmpty { return dir }
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while !FileManager.default.fileExists(atPath: url.appendingPathComponent("authd").path), url.path != "/" {
        url = url.deletingLastPathComponent()
    }
    return url.path
}()

/// The secret every test daemon signs with, so that Python peers can share it.
public let testSecret = "integration-test-secret-0123456789abcdef"
/// The MFA key every test daemon gets (AUTHD_MFA_KEY), so that daemons sharing a
/// database share it, as the contract requires.
public let testMFAKey = String(repeating: "5a", count: 32)

/// A fresh directory under /tmp, short enough for a socket path, that unprivileged test
/// peers can reach the socket in.
public func makeTestDirectory() -> String {
    let dir = "/tmp/authd-test-\(UUID().uuidString.prefix(8))"
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    chmod(dir, 0o755)
    return dir
}

/// A test's setup went wrong (a program did not start), as opposed to a failed expectation.
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}

/// Waits for `condition` to hold, checking every `interval`, up to `within`; whether it held.
/// For what a test cannot be told directly (a line reaching a log, a lock expiring, a peer
/// catching up).
@discardableResult
public func eventually(within: Duration = .seconds(10), every interval: Duration = .milliseconds(10),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + within
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: interval)
    }
}

/// A TCP port nothing listens on right now (the kernel's pick, released for the test to use).
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard ok else { throw TestSetupError(description: "no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
