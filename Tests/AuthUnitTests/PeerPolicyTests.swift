import AuthCore
import Testing
@testable import AuthDaemon

/// Who a peer is, decided once at connect time: without any group lookup when the
/// credentials settle it (so nothing can block the event loop), from the peer's groups
/// (looked up on a thread of its own) otherwise.
@Suite struct PeerPolicyTests {
    @Test func rootAndPeersNoGroupConcernsNeedNoLookup() throws {
        let root = try #require(PeerPolicy.rootOnly.callerWithoutLookup(uid: 0, gid: 0))
        #expect(root.isPrivileged && root.mayNameClient)
        let user = try #require(PeerPolicy.rootOnly.callerWithoutLookup(uid: 1000, gid: 1000))
        #expect(!user.isPrivileged && !user.mayNameClient)
        #expect(user.uid == 1000)
    }

    @Test func aPrimaryGIDInTheAdminGroupNeedsNoLookup() throws {
        let policy = try PeerPolicy(adminGroup: "nogroup")
        let admin = try #require(policy.callerWithoutLookup(uid: 1000, gid: 65534))
        #expect(admin.isPrivileged && admin.mayNameClient)
        #expect(policy.callerWithoutLookup(uid: 1000, gid: 1000) == nil, "a supplementary group must be looked up")
    }

    @Test func withAGroupSetTheGroupsDecide() throws {
        let policy = try PeerPolicy(adminGroup: nil, metricsGroup: "nogroup")
        #expect(policy.callerWithoutLookup(uid: 1000, gid: 1000) == nil)
        let gateway = policy.caller(uid: 1000, gid: 1000, groups: [1000, 65534])
        #expect(!gateway.isPrivileged && gateway.mayNameClient)
        let stranger = policy.caller(uid: 1000, gid: 1000, groups: [1000])
        #expect(!stranger.isPrivileged && !stranger.mayNameClient)
        let admins = try PeerPolicy(adminGroup: "nogroup")
        let admin = admins.caller(uid: 1000, gid: 1000, groups: [1000, 65534])
        #expect(admin.isPrivileged && admin.mayNameClient)
    }
}
