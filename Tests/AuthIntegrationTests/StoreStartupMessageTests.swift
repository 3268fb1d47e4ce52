import AuthTestSupport
import Foundation
import Testing

extension IntegrationTests {
    /// The store's startup refusals (issue #14): one line that names the file, exit 78.
    @Suite struct StoreStartupMessageTests {
        /// authd run to completion as `user` ("root" or "nobody") on an SQLite file.
        static func authd(_ database: String, socket: String, as user: String = "root") throws -> Completed {
            let command = [TestDaemon.authd, "--socket", socket, "--database", "sqlite:\(database)"]
            let env = ["PATH": "/usr/bin:/bin", "JWT_SECRET_KEY": testSecret]
            if user == "root" { return try run(command[0], Array(command.dropFirst()), environment: env) }
            return try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups"] + command, environment: env)
        }

        @Test func aSecondAuthdOnTheFileIsOneLineNamingIt() async throws {
            let dir = makeTestDirectory()
            let first = try await TestDaemon(["--database", "sqlite:\(dir)/shared.db"], directory: dir)
            let second = try Self.authd("\(dir)/shared.db", socket: "\(dir)/second.sock")
            #expect(second.status == 78)
            #expect(second.stderr == "authd: cannot own the database \(dir)/shared.db: another authd is using it\n")
            first.stop()
        }

        @Test func anUnwritableDirectoryOrFileIsOneLineNamingItAndTheUid() throws {
            let dir = makeTestDirectory()
            let sockets = "\(dir)/sockets"
            try FileManager.default.createDirectory(atPath: sockets, withIntermediateDirectories: true)
            chmod(sockets, 0o777)
            try FileManager.default.createDirectory(atPath: "\(dir)/locked", withIntermediateDirectories: true)
            chmod("\(dir)/locked", 0o555)
            let directory = try Self.authd("\(dir)/locked/a.db", socket: "\(sockets)/a.sock", as: "nobody")
            #expect(directory.status == 78)
            #expect(directory.stderr == "authd: cannot open the database \(dir)/locked/a.db: unable to open database file"
                    + " (its directory \(dir)/locked is not writable by uid 65534)\n")
            FileManager.default.createFile(atPath: "\(dir)/readonly.db", contents: nil)
            chmod("\(dir)/readonly.db", 0o444)
            let file = try Self.authd("\(dir)/readonly.db", socket: "\(sockets)/b.sock", as: "nobody")
            #expect(file.status == 78)
            #expect(file.stderr.hasPrefix("authd: cannot open the database \(dir)/readonly.db: "))
            #expect(file.stderr.hasSuffix(" (the file is not readable and writable by uid 65534)\n"))
        }

        @Test func aSymlinkAtTheDatabasePathIsRefusedNotFollowed() throws {
            let dir = makeTestDirectory()
            FileManager.default.createFile(atPath: "\(dir)/victim", contents: Data("keep".utf8))
            try FileManager.default.createSymbolicLink(atPath: "\(dir)/authd.db", withDestinationPath: "\(dir)/victim")
            let r = try Self.authd("\(dir)/authd.db", socket: "\(dir)/a.sock")
            #expect(r.status == 78)
            #expect(r.stderr == "authd: cannot open the database \(dir)/authd.db: unable to open database file"
                    + " (it is a symbolic link, which authd does not follow)\n")
            #expect(try String(contentsOfFile: "\(dir)/victim", encoding: .utf8) == "keep")
        }
    }
}
