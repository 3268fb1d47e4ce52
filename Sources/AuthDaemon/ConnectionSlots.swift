import AuthCore
import Synchronization

/// Who may take one of the `max_connections` slots, so that no one peer can take them
/// all: an unprivileged uid holds at most `connections_per_uid` of them, and the last
/// `reserved_connections` are left to privileged peers and the gateway's group (which
/// speaks for many web clients, so it has no per-uid share either). `max_connections`
/// counts every connection, reserved ones included.
final class ConnectionSlots: Sendable {
    private let open = Atomic<Int>(0)
    private let byUID = Mutex<[UInt32: Int]>([:])

    /// Why a connection was refused, for its error line.
    enum Refusal: Error {
        case full
        case uidShare(Int)

        var message: String {
            switch self {
            case .full: "Too many connections"
            case .uidShare(let share): "Too many connections from this user (at most \(share))"
            }
        }
    }

    /// Counts a connection that has just arrived, before its peer is known, so that
    /// concurrent arrivals cannot all see room; beyond `max_connections` it is refused.
    func arrive(_ limits: RPCServer.Limits) -> Result<Int, Refusal> {
        let now = open.add(1, ordering: .relaxed).newValue
        guard now <= limits.maxConnections else {
            leave()
            return .failure(.full)
        }
        return .success(now)
    }

    /// Admits the connection counted by `arrive` (`rank`: the count with it) once its
    /// peer is known, or gives its slot back and says why not. An admitted connection
    /// gives it back with `depart(caller)` when it closes.
    func admit(_ caller: Caller, rank: Int, _ limits: RPCServer.Limits) -> Refusal? {
        guard !Self.isExempt(caller) else { return nil }
        guard rank <= limits.maxConnections - limits.reservedConnections else {
            leave()
            return .full
        }
        let key = caller.uid ?? UInt32.max
        let admitted = byUID.withLock { counts in
            guard counts[key, default: 0] < limits.connectionsPerUID else { return false }
            counts[key, default: 0] += 1
            return true
        }
        if admitted { return nil }
        leave()
        return .uidShare(limits.connectionsPerUID)
    }

    func depart(_ caller: Caller) {
        leave()
        guard !Self.isExempt(caller) else { return }
        let key = caller.uid ?? UInt32.max
        byUID.withLock { counts in
            counts[key, default: 1] -= 1
            if counts[key] == 0 { counts[key] = nil }
        }
    }

    private func leave() { open.subtract(1, ordering: .relaxed) }

    private static func isExempt(_ caller: Caller) -> Bool { caller.isPrivileged || caller.isGateway }
}
