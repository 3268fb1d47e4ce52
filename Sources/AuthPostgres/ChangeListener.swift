import AuthCore
import AuthStore
import AuthThreads
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A thread holding one connection that LISTENs for the changes every instance
/// announces (revoked tokens, changed or deleted users) and applies them to the
/// cache. After any gap in the stream it empties the cache, since a change may
/// have been missed.
final class ChangeListener: Sendable {
    static let channel = "authd_changes"

    private let conninfo: String
    private let defaults: [(String, String)]
    private let connected = Atomic<Bool>(false)

    init(conninfo: String, defaults: [(String, String)]) {
        self.conninfo = conninfo
        self.defaults = defaults
    }

    var isConnected: Bool { connected.load(ordering: .relaxed) }

    func start(keeping cache: TokenStateCache, _ sessions: EndedSessionsLoader) {
        PosixThread.start(name: "pg-listen") { [self] in loop(cache, sessions) }
    }

    private func loop(_ cache: TokenStateCache, _ sessions: EndedSessionsLoader) {
        var backoff = 0.1
        while true {
            do {
                let db = try PGConnection(conninfo, defaults: defaults)
                try db.query("LISTEN \(Self.channel)")
                // Whatever happened while we were not listening is unknown.
                cache.clear()
                try sessions.loadAll(db)
                connected.store(true, ordering: .relaxed)
                backoff = 0.1
                while true {
                    var fds = pollfd(fd: db.socket, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&fds, 1, 1000)
                    if ready < 0 && errno != EINTR { break }
                    for payload in try db.notifications() { try Self.apply(payload, to: cache, sessions, db) }
                    if !db.isHealthy { break }
                }
            } catch {
                // Reconnect below.
            }
            connected.store(false, ordering: .relaxed)
            PosixThread.sleep(seconds: backoff)
            backoff = min(backoff * 2, 2)
        }
    }

    /// "r:<jti>" revoked a token; "u:<id>" created, changed or deleted a user; "u:*"
    /// imported users; "s:<id>" ended sessions of a user.
    static func payload(_ change: StoreChange) -> String {
        switch change {
        case .user(let id): "u:\(id)"
        case .revoked(let jti): "r:\(jti)"
        case .sessions(let id): "s:\(id)"
        case .imported: "u:*"
        }
    }

    /// A user's change may have ended their sessions too (a password change): both reload them.
    private static func apply(_ payload: String, to cache: TokenStateCache, _ sessions: EndedSessionsLoader, _ db: PGConnection) throws {
        if payload.hasPrefix("r:") {
            cache.revoked(jti: String(payload.dropFirst(2)))
        } else if payload == "u:*" {
            cache.usersImported()
        } else if payload.hasPrefix("u:"), let id = Int64(payload.dropFirst(2)) {
            try sessions.load(userID: id, db)
            try sessions.reloadUser(id, into: cache, db)
        } else if payload.hasPrefix("s:"), let id = Int64(payload.dropFirst(2)) {
            try sessions.load(userID: id, db)
        }
    }
}
