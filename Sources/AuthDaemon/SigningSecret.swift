import AuthCrypto
import AuthSettings
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The HS256 key: `JWT_SECRET_KEY`, else the systemd credential `jwt-secret`, else a
/// key generated once and kept in the state directory. Never a built-in default.
enum SigningSecret {
    static let minimumBytes = 32

    /// The secret's bytes and a description of where it came from (never the secret).
    static func load(_ config: DaemonConfiguration) throws -> (bytes: [UInt8], source: String) {
        if let secret = config.jwtSecret {
            let source = config.settings.source(of: \.jwtSecret).map { "\($0)" } ?? "JWT_SECRET_KEY"
            return (try checked(Array(secret.value.utf8), source), source)
        }
        if let directory = config.credentialsDirectory {
            let path = "\(directory)/jwt-secret"
            if let data = FileManager.default.contents(atPath: path) {
                return (try checked(trimmed(Array(data)), path), "credential \(path)")
            }
        }
        let path = "\(config.stateDirectory)/jwt-secret"
        if let data = FileManager.default.contents(atPath: path) {
            return (try checked(trimmed(Array(data)), path), path)
        }
        return (try generate(at: path), "\(path) (generated)")
    }

    private static func checked(_ bytes: [UInt8], _ source: String) throws -> [UInt8] {
        guard bytes.count >= minimumBytes else {
            throw ConfigurationError("the JWT secret from \(source) is \(bytes.count) bytes; at least \(minimumBytes) bytes are required")
        }
        return bytes
    }

    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        while let last = b.last, last == 0x0A || last == 0x0D { b.removeLast() }
        return b
    }

    /// 48 random bytes as 96 hex characters, written with mode 0600 and never overwritten.
    private static func generate(at path: String) throws -> [UInt8] {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError("cannot create the directory \(directory) for the JWT secret: \(String(cString: strerror(errno)))")
        }
        let secret = Array(secureRandomBytes(48).map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined().utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError("cannot create the JWT secret file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = secret.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == secret.count, fsync(fd) == 0 else {
            unlink(path)
            throw ConfigurationError("cannot write the JWT secret file \(path)")
        }
        return secret
    }
}
