import AuthCore
import AuthThreads
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// `struct ucred` from <sys/socket.h>, which Glibc does not export to Swift.
struct UCred {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Decides who a peer is from the credentials the kernel recorded at connect().
struct PeerPolicy: Sendable {
    /// The gid of `--admin-group`, when one is configured.
    let adminGID: UInt32?
    /// The gid of `--metrics-group` (the gateway's), whose members may read `system.metrics`.
    let metricsGID: UInt32?

    init(adminGroup: String?, metricsGroup: String? = nil) throws {
        adminGID = try Self.requiredGID(adminGroup, "admin group")
        metricsGID = try Self.requiredGID(metricsGroup, "metrics group")
    }

    /// Only root is privileged; nobody else reads metrics.
    static let rootOnly = PeerPolicy(adminGID: nil, metricsGID: nil)

    private init(adminGID: UInt32?, metricsGID: UInt32?) {
        self.adminGID = adminGID
        self.metricsGID = metricsGID
    }

    private static func requiredGID(_ name: String?, _ role: String) throws -> UInt32? {
        guard let name else { return nil }
        guard let gid = gid(named: name) else { throw ConfigurationError("\(role) '\(name)' does not exist") }
        return gid
    }

    /// Reads SO_PEERCRED from a connected Unix socket channel and decides who the peer is,
    /// once for the connection. The group lookups that may take (`getpwuid_r`,
    /// `getgrouplist`: files, or LDAP through NSS) run on a thread of their own, never on
    /// the channel's event loop; root, and peers no group setting concerns, need none.
    func caller(of channel: Channel) -> EventLoopFuture<Caller> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(Caller(uid: nil, isPrivileged: false))
        }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .flatMap { (cred: UCred) in
                if let caller = self.callerWithoutLookup(uid: cred.uid, gid: cred.gid) {
                    return channel.eventLoop.makeSucceededFuture(caller)
                }
                let promise = channel.eventLoop.makePromise(of: Caller.self)
                PosixThread.start(name: "groups") {
                    promise.succeed(self.caller(uid: cred.uid, gid: cred.gid, groups: Self.groups(ofUID: cred.uid)))
                }
                return promise.futureResult
            }
    }

    /// The caller when the credentials alone decide it, nil when the peer's groups must be looked up.
    func callerWithoutLookup(uid: UInt32, gid: UInt32) -> Caller? {
        if adminGID == nil && metricsGID == nil { return Caller(uid: uid, isPrivileged: uid == 0) }
        // The gateway refuses to run as root, so root's supplementary groups are not looked up.
        if uid == 0 { return Caller(uid: uid, isPrivileged: true, isGateway: metricsGID == gid) }
        // An admin-group peer is also the gateway's when that is the same group; otherwise
        // its supplementary groups may still make it the gateway's.
        if let adminGID, gid == adminGID, metricsGID == nil || metricsGID == gid {
            return Caller(uid: uid, isPrivileged: true, isGateway: metricsGID == gid)
        }
        return nil
    }

    /// The caller given its groups (from /etc/group and the passwd entry).
    func caller(uid: UInt32, gid: UInt32, groups: [UInt32]) -> Caller {
        let privileged = uid == 0 || adminGID.map { gid == $0 || groups.contains($0) } == true
        // The gateway's group speaks for web clients: the `client` address it passes is
        // believed, and its tokens act as their users even if it is privileged.
        let gateway = metricsGID.map { gid == $0 || groups.contains($0) } == true
        return Caller(uid: uid, isPrivileged: privileged, isGateway: gateway)
    }

    /// Privileged peers, and members of the metrics group (by the groups /etc/group and
    /// the passwd entry give the peer's uid, as its gid at connect() is not kept).
    func mayReadMetrics(_ caller: Caller) -> Bool {
        if caller.isPrivileged { return true }
        guard let metricsGID, let uid = caller.uid else { return false }
        return Self.groups(ofUID: uid).contains(metricsGID)
    }

    static func gid(named name: String) -> UInt32? {
        var group = group()
        var buffer = [CChar](repeating: 0, count: 16384)
        var result: UnsafeMutablePointer<group>?
        guard getgrnam_r(name, &group, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return group.gr_gid
    }

    static func groups(ofUID uid: UInt32) -> [UInt32] {
        var pw = passwd()
        var buffer = [CChar](repeating: 0, count: 16384)
        var result: UnsafeMutablePointer<passwd>?
        guard getpwuid_r(uid, &pw, &buffer, buffer.count, &result) == 0, result != nil, let name = pw.pw_name else { return [] }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, pw.pw_gid, &groups, &count) == -1 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, pw.pw_gid, &groups, &count) != -1 else { return [] }
        }
        return Array(groups.prefix(Int(count)))
    }
}
