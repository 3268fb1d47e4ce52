import AuthSettings
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

#if canImport(Glibc)
import Glibc
#endif

extension DaemonConfiguration {
    /// Checks the paths before anything is created, so that a refusal leaves no socket or
    /// database behind. A database directory that does not exist is refused (a typo would
    /// otherwise serve a new, empty user base), except the default state directory, which
    /// is created and logged. The per-user runtime directory is created 0700 and checked.
    public func preparePaths(logger: Logger) throws {
        if settings.socket == nil {
            do {
                try RuntimeDirectory.check(directoryOf: socketPath, create: true)
            } catch {
                throw ConfigurationError("\(error)")
            }
        }
        guard case .sqlite(let path) = database else { return }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        if !directory.isEmpty && !FileManager.default.fileExists(atPath: directory) {
            guard databaseIsDefault else {
                let named = settings.source(of: \.databaseURL).map { " (\($0))" } ?? ""
                throw ConfigurationError("the database directory \(directory) does not exist\(named); create it or fix the path")
            }
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw ConfigurationError("cannot create the state directory \(directory): \(String(cString: strerror(errno)))")
            }
            logger.notice("created the state directory \(directory)")
        }
        if Self.isForeignSQLiteDatabase(path) {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            throw ConfigurationError("\(name) is not an authd database; move users over with `authctl user import`")
        }
    }

    /// An SQLite file with tables but without authd's `schema_migrations`, e.g. the Flask
    /// app's `app.db`: authd would otherwise add its tables beside the app's. Read from page
    /// 1, where SQLite keeps the schema table of a database with a few tables.
    static func isForeignSQLiteDatabase(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var page = [UInt8](repeating: 0, count: 65_536)
        let n = page.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 100, page.starts(with: Array("SQLite format 3\0".utf8)) else { return false }
        let declared = Int(page[16]) << 8 | Int(page[17])
        let size = min(n, declared == 1 ? 65_536 : declared)
        let first = page[..<size]
        return first.firstRange(of: Array("CREATE TABLE".utf8)) != nil && first.firstRange(of: Array("schema_migrations".utf8)) == nil
    }
}
