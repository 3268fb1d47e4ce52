import AuthTestSupport

/// util-linux's setpriv and its arguments for running the next program as nobody:nogroup,
/// as the gateway runs in tests (it refuses root; the tests run as root).
let setpriv = "/usr/bin/setpriv"
let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]

extension TestAuthd {
    /// authd with the gateway's group as deployed: the in-process router runs as root
    /// (group root), the gateway binary as nobody (group nogroup, which also gets the socket).
    static func forGateway(group: String = "root", arguments: [String] = []) async throws -> TestAuthd {
        try await TestAuthd(["--socket-group", group, "--metrics-group", group] + arguments)
    }
}
