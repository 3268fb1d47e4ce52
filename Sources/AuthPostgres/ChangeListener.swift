import AuthCore
import AuthThreads
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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
    private let cache: TokenStateCache
    private let connected = Atomic<Bool>(false)

    init(conninfo: String, defaults: [(String, String)], cache: TokenStateCache) {
        self.conninfo = conninfo
        self.defaults = defaults
        self.cache = cache
    }

    var isConnected: Bool { connected.load(ordering: .relaxed) }

    func start() {
        PosixThread.start(name: "pg-listen") { [self] in loop() }
    }

    private func loop() {
        var backoff = 0.1
        while true {
            do {
                let db = try PGConnection(conninfo, defaults: defaults)
                try db.query("LISTEN \(Self.channel)")
                // Whatever happened while we were not listening is unknown.
                cache.clear()
                connected.store(true, ordering: .relaxed)
                backoff = 0.1
                while true {
                    var fds = pollfd(fd: db.socket, events: Int16(POLLIN), revents: 0)
                    let ready = poll(&fds, 1, 1000)
                    if ready < 0 && errno != EINTR { break }
                    for payload in try db.notifications() { apply(payload) }
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

    /// "r:<jti>" revoked a token; "u:<id>" changed or deleted a user.
    private func apply(_ payload: String) {
        if payload.hasPrefix("r:") {
            cache.revoked(jti: String(payload.dropFirst(2)))
        } else if payload.hasPrefix("u:"), let id = Int64(payload.dropFirst(2)) {
            cache.userChanged(id)
        }
    }
}
