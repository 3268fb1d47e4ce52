import AuthCore
import AuthInterface

/// The audit events authd logs, with the journal's MESSAGE_ID for each and the method
/// that causes it. The ids are fixed for good (made once, like `systemd-id128 new`),
/// so that `journalctl MESSAGE_ID=…` keeps finding the same events across versions;
/// README lists them. A new `AuthEvent.Kind` does not compile until it has both.
enum AuditCatalog {
    static func messageID(_ kind: AuthEvent.Kind) -> String {
        switch kind {
        case .register: "df87875b9fd340e88790a2e84eb21688"
        case .loginSucceeded: "b54e841a50d04ec2ab7022e5e461c87f"
        case .loginFailed: "542375cbf6644ae9bccca32af491442a"
        case .logout: "bb616e33e5e74345969be03190d38a38"
        case .update: "ca56b320bc314f278a2d8c36ecf3f7a2"
        case .delete: "e8ada18c3392497aad1f62de008be1da"
        case .import: "d443997c2d2f4c43b55c15a48fc357e8"
        case .lockout: "f409c810f5164f539ebfbb0afe23f1d2"
        case .unlock: "7cd8e07ed93244f49848769e5a662826"
        case .refreshReuse: "b227b94f166d4da28f9e5dc6c743931c"
        case .sessionRevoke: "bd89b31b59d449e091bc03f9d1f790f1"
        case .disable: "e4381073da26414585c5c7acb11652e3"
        case .enable: "b494406d5d8e4c928ec365ab46c74a4f"
        case .groups: "20bcd1d6e0054dfd81b4a03373e540f1"
        case .resetIssued: "a49755f20f9d4b92bc5b1a9ed192490f"
        case .resetUsed: "d86529fc268046afa8441729533ac204"
        case .export: "6b5dbacb267b4663a17c358172680d6f"
        case .mfaEnrolled: "95377a2c61da4b878cfea87e0d1bc105"
        case .mfaConfirmed: "06426af54f794355b60ee2f7f4fc5595"
        case .mfaRemoved: "e5910d1ad30248ecaccce8e275bd3dab"
        case .mfaRequired: "ed2f11dc7f7547df8dbfaa429afc7121"
        case .mfaFailed: "21870e7f6cbc4064b6523563974e1a12"
        case .mfaReplay: "3ddb136fbfc04888a0e082f928d61204"
        case .recoveryCodeUsed: "b5321645df384aacafe973cb1fc17b0f"
        case .recoveryCodesRegenerated: "6ca1c3c703bd4e99bdc706469424271f"
        }
    }

    /// The JSON-RPC method behind each event, for AUTHD_METHOD.
    static func method(_ kind: AuthEvent.Kind) -> RPCMethod {
        switch kind {
        case .register: .register
        case .loginSucceeded, .loginFailed, .lockout: .login
        case .logout: .logout
        case .update: .usersUpdate
        case .delete: .usersDelete
        case .import: .usersImport
        case .unlock: .usersUnlock
        case .refreshReuse: .refresh
        case .sessionRevoke: .sessionsRevoke
        case .disable: .usersDisable
        case .enable: .usersEnable
        case .groups: .usersSetGroups
        case .resetIssued: .usersResetToken
        case .resetUsed: .resetPassword
        case .export: .usersExport
        case .mfaEnrolled: .totpEnroll
        case .mfaConfirmed: .totpConfirm
        case .mfaRemoved: .totpRemove
        case .mfaRequired: .login
        case .mfaFailed, .mfaReplay, .recoveryCodeUsed: .mfa
        case .recoveryCodesRegenerated: .recoveryRegenerate
        }
    }

    /// What happened, in words, for MESSAGE: "login failed for 'bob' from 203.0.113.9".
    /// The client is the gateway's end user where it named one, else the peer's uid, so
    /// that a fail2ban filter finds the address to ban right after "from".
    static func message(_ event: AuthEvent) -> String {
        let user = event.userID.map { "user \($0)" } ?? "an unknown user"
        let origin = event.client.map { " from \($0)" } ?? event.peerUID.map { " from uid \($0)" } ?? ""
        switch event.kind {
        case .register: return "\(user) registered" + origin
        case .loginSucceeded: return "login succeeded for \(user)" + origin
        case .loginFailed:
            let name = switch event.attempt {
            case .name(let name)?: "'\(name)'"
            case .invalidName?, nil: "an invalid name"
            }
            return "login failed for \(name)" + origin
        case .logout: return "\(user) logged out" + origin
        case .update: return "\(user) updated" + origin
        case .delete: return "\(user) deleted" + origin
        case .import: return "\(user) imported" + origin
        case .lockout: return (event.detail ?? "logins locked") + (event.userID.map { " (user \($0))" } ?? "") + origin
        case .unlock: return "\(user) unlocked" + origin
        case .refreshReuse: return "a retired refresh token of \(user) was presented again; its session ended" + origin
        case .sessionRevoke: return "a session of \(user) revoked" + origin
        case .disable: return "\(user) disabled" + origin
        case .enable: return "\(user) enabled" + origin
        case .groups: return "groups of \(user) changed" + origin
        case .resetIssued: return "a password reset token for \(user) issued" + origin
        case .resetUsed: return "the password of \(user) was reset" + origin
        case .export: return (event.detail ?? "users") + " up to \(user) exported with their hashes" + origin
        case .mfaEnrolled: return "TOTP enrollment of \(user) started" + origin
        case .mfaConfirmed: return "TOTP of \(user) confirmed" + origin
        case .mfaRemoved: return "TOTP of \(user) removed" + origin
        case .mfaRequired: return "password of \(user) accepted, second factor required" + origin
        // "failed for … from ADDRESS", as a failed login reads, so that one fail2ban filter finds both.
        case .mfaFailed: return "second factor failed for \(user)" + origin
        case .mfaReplay: return "a used TOTP code of \(user) was refused" + origin
        case .recoveryCodeUsed: return "a recovery code of \(user) was used (\(event.detail ?? ""))" + origin
        case .recoveryCodesRegenerated: return "recovery codes of \(user) regenerated" + origin
        }
    }

    /// MESSAGE_ID by the event's name (`AuthEvent.Kind.rawValue`), as the journal handler looks it up.
    static let messageIDs = Dictionary(uniqueKeysWithValues: AuthEvent.Kind.allCases.map { ($0.rawValue, messageID($0)) })
}
