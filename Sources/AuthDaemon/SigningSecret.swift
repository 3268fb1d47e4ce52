import AuthCrypto

/// The HS256 key: `JWT_SECRET_KEY`, else the systemd credential `jwt-secret`, else a
/// key generated once and kept in the state directory. Never a built-in default.
enum SigningSecret {
    static let minimumBytes = 32

    /// The secret's bytes and a description of where it came from (never the secret).
    static func load(_ config: DaemonConfiguration) throws -> (bytes: [UInt8], source: String) {
        try secret.load(setting: config.jwtSecret, settingSource: config.settings.source(of: \.jwtSecret).map { "\($0)" } ?? "JWT_SECRET_KEY", config)
    }

    /// Any bytes, at least 32 of them; generated: 48 random bytes as 96 hex characters.
    private static var secret: StateSecret {
        StateSecret(name: "the JWT secret", fileName: "jwt-secret", decode: { bytes, source in
            guard bytes.count >= minimumBytes else {
                throw ConfigurationError("the JWT secret from \(source) is \(bytes.count) bytes; at least \(minimumBytes) bytes are required")
            }
            return bytes
        }, generate: { Array(Hex.encode(secureRandomBytes(48)).utf8) })
    }
}
