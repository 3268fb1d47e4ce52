/// The audit events authd logs, with the journal's MESSAGE_ID for each and the method
/// that causes it. The ids are fixed for good (made once, like `systemd-id128 new`),
/// so that `journalctl MESSAGE_ID=…` keeps finding the same events across versions;
/// README lists them.
enum AuditCatalog {
    /// MESSAGE_ID by the event's name (`AuthEvent.Kind.rawValue`).
    static let messageIDs: [String: String] = [
        "register": "df87875b9fd340e88790a2e84eb21688",
        "login_ok": "b54e841a50d04ec2ab7022e5e461c87f",
        "login_failed": "542375cbf6644ae9bccca32af491442a",
        "logout": "bb616e33e5e74345969be03190d38a38",
        "update": "ca56b320bc314f278a2d8c36ecf3f7a2",
        "delete": "e8ada18c3392497aad1f62de008be1da",
        "import": "d443997c2d2f4c43b55c15a48fc357e8",
        "lockout": "f409c810f5164f539ebfbb0afe23f1d2",
        "unlock": "7cd8e07ed93244f49848769e5a662826",
    ]

    /// The JSON-RPC method behind each event, for AUTHD_METHOD.
    static let methods: [String: String] = [
        "register": "auth.register",
        "login_ok": "auth.login",
        "login_failed": "auth.login",
        "lockout": "auth.login",
        "logout": "auth.logout",
        "update": "users.update",
        "delete": "users.delete",
        "import": "users.import",
    ]
}
