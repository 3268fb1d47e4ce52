/// Where authd listens when nothing says otherwise, the one rule the daemon and its clients
/// (authctl, the gateway) share, so that they find each other without configuration:
/// root's system socket, else the user's runtime directory, else a directory of the
/// user's own under /tmp.
public enum SocketPath {
    /// The system daemon's socket, which authctl tries unless told otherwise.
    public static let system = "/run/authd/authd.sock"

    public static func `default`(uid: UInt32, environment: [String: String]) -> String {
        if uid == 0 { return system }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return "\(runtime)/authd/authd.sock" }
        return "/tmp/authd-\(uid)/authd.sock"
    }
}
