import AuthCore
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

    /// Reads SO_PEERCRED from a connected Unix socket channel (on its event loop).
    func caller(of channel: Channel) -> EventLoopFuture<Caller> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeSucceededFuture(Caller(uid: nil, isPrivileged: false))
        }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (cred: UCred) in
                let privileged = self.isPrivileged(uid: cred.uid, gid: cred.gid)
                // The gateway's group speaks for web clients: the `client` address it passes
                // is believed for login throttling, so its users do not lock each other out.
                let gateway = privileged || self.metricsGID.map { cred.gid == $0 || Self.groups(ofUID: cred.uid).contains($0) } == true
                return Caller(uid: cred.uid, isPrivileged: privileged, mayNameClient: gateway)
            }
    }

    /// Root, or a member of the admin group (by primary gid or by /etc/group membership).
    func isPrivileged(uid: UInt32, gid: UInt32) -> Bool {
        if uid == 0 { return true }
        guard let adminGID else { return false }
        if gid == adminGID { return true }
        return Self.groups(ofUID: uid).contains(adminGID)
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
