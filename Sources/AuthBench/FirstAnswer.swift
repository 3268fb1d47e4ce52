import AuthClient
import AuthInterface

/// Launch time under socket activation: from connecting to a socket whose service is
/// not running yet to the answer of `system.health`.
public enum FirstAnswer {
    public static func measure(socket: String) throws -> Double {
        let start = monotonicNanos()
        let client = try AuthClient(path: socket, timeout: 30)
        _ = try client.call(.health).get()
        return Double(monotonicNanos() - start) / 1e6
    }
}
