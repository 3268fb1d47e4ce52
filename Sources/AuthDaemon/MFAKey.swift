import AuthCrypto

/// The AES-256-GCM key for TOTP secrets at rest: `AUTHD_MFA_KEY` (64 hex characters),
/// else the systemd credential `mfa-key`, else a key generated once in the state
/// directory (mode 0600). Instances sharing a database must share it.
enum MFAKey {
    /// The key's 32 bytes and a description of where they came from (never the key).
    static func load(_ config: DaemonConfiguration) throws -> (bytes: [UInt8], source: String) {
        try key.load(setting: config.mfaKey, settingSource: config.settings.source(of: \.mfaKey).map { "\($0)" } ?? "AUTHD_MFA_KEY", config)
    }

    /// Written as 64 hex characters wherever it is kept.
    private static var key: StateSecret {
        StateSecret(name: "the MFA key", fileName: "mfa-key", decode: { text, source in
            let hex = String(decoding: text, as: UTF8.self)
            guard hex.utf8.count == 2 * SecretBox.keyBytes, let bytes = Hex.decode(hex) else {
                throw ConfigurationError("the MFA key from \(source) must be exactly \(2 * SecretBox.keyBytes) hex characters (\(SecretBox.keyBytes) bytes)")
            }
            return bytes
        }, generate: { Array(Hex.encode(secureRandomBytes(SecretBox.keyBytes)).utf8) }, ownerOnly: true)
    }
}
