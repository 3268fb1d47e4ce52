import AuthSettings
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// A key authd takes from a setting, else the systemd credential of its name, else a file
/// of that name it generates once in the state directory; never a built-in default. The
/// shape the signing secret and the MFA key share.
struct StateSecret {
    /// What messages call it, e.g. "the JWT secret".
    let name: String
    /// The credential's name, and the state directory file's.
    let fileName: String
    /// The bytes a setting's text or a file's content (less trailing newlines) stands for;
    /// the error names the source.
    let decode: (_ text: [UInt8], _ source: String) throws -> [UInt8]
    /// A new file's content.
    let generate: () -> [UInt8]
    /// Refuse a state directory file that anyone but its owner may read or write.
    var ownerOnly = false

    /// The key's bytes and where they came from (never the key).
    func load(setting: Secret?, settingSource: String, _ config: DaemonConfiguration) throws -> (bytes: [UInt8], source: String) {
        if let setting {
            return (try decode(Array(setting.value.utf8), settingSource), settingSource)
        }
        if let directory = config.credentialsDirectory {
            let path = "\(directory)/\(fileName)"
            if let data = FileManager.default.contents(atPath: path) {
                return (try decode(trimmed(Array(data)), path), "credential \(path)")
            }
        }
        let path = "\(config.stateDirectory)/\(fileName)"
        if let data = FileManager.default.contents(atPath: path) {
            try checkMode(path)
            return (try decode(trimmed(Array(data)), path), path)
        }
        let content = try create(at: path)
        return (try decode(content, path), "\(path) (generated)")
    }

    private func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        var b = bytes
        while let last = b.last, last == 0x0A || last == 0x0D { b.removeLast() }
        return b
    }

    private func checkMode(_ path: String) throws {
        guard ownerOnly else { return }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigurationError("cannot read the mode of \(path), \(name): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw ConfigurationError(
                "\(path), \(name), has mode \(String(info.st_mode & 0o777, radix: 8)); it must be readable by its owner only (chmod 600 \(path))")
        }
    }

    /// A generated key, written with mode 0600 and never overwritten: written whole to a
    /// file of its own, then linked into place, so that of daemons starting at once one
    /// key wins and the others read it complete.
    private func create(at path: String) throws -> [UInt8] {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError("cannot create the directory \(directory) for \(name): \(String(cString: strerror(errno)))")
        }
        let content = generate()
        let staging = "\(path).\(getpid()).new"
        unlink(staging)
        let fd = open(staging, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ConfigurationError("cannot create the file \(staging) for \(name): \(String(cString: strerror(errno)))")
        }
        defer { unlink(staging) }
        let written = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == content.count, synced else { throw ConfigurationError("cannot write the file \(staging) for \(name)") }
        if link(staging, path) == 0 { return content }
        guard errno == EEXIST, let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot create the file \(path) for \(name): \(String(cString: strerror(errno)))")
        }
        // Another daemon made it first: theirs is the key.
        try checkMode(path)
        return trimmed(Array(data))
    }
}
