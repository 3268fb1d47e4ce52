#if canImport(Glibc)
import Glibc
#endif

/// The per-user fallback of authd's default socket (`SocketPath.default`): without
/// XDG_RUNTIME_DIR a user's socket is in `/tmp/authd-UID`, in a directory every user can
/// write, so another user could create it first and put a socket of their own there (a
/// password sent to it is theirs). It is therefore created 0700 and refused unless this
/// uid (or root) owns it and no one else may write it. authd, authctl and the gateway
/// check it before they use the default socket.
public enum RuntimeDirectory {
    /// Whether `directory` is the fallback under `/tmp` that others could have made.
    public static func isShared(_ directory: String, uid: UInt32) -> Bool {
        uid != 0 && directory == "/tmp/authd-\(uid)"
    }

    /// Checks the directory of `socketPath` when it is the fallback (creating it 0700 first
    /// when `create`); any other directory is the administrator's or the session's.
    public static func check(directoryOf socketPath: String, uid: UInt32 = getuid(), create: Bool) throws(SettingError) {
        let directory = socketPath.lastIndex(of: "/").map { String(socketPath[..<$0]) } ?? "."
        guard isShared(directory, uid: uid) else { return }
        if create && mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw SettingError("cannot create the runtime directory \(directory): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard lstat(directory, &status) == 0 else {
            if errno == ENOENT { return }  // nothing there to trust or connect to
            throw SettingError("cannot inspect the runtime directory \(directory): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR) else {
            throw SettingError("refusing the runtime directory \(directory): it is not a directory (set XDG_RUNTIME_DIR or pass --socket)")
        }
        guard status.st_uid == uid || status.st_uid == 0 else {
            throw SettingError("refusing the runtime directory \(directory): it belongs to uid \(status.st_uid), not to uid \(uid) (set XDG_RUNTIME_DIR or pass --socket)")
        }
        guard status.st_mode & 0o022 == 0 else {
            throw SettingError("refusing the runtime directory \(directory): its group or others may write it (set XDG_RUNTIME_DIR or pass --socket)")
        }
    }
}
