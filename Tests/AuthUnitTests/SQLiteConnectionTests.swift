import AuthStore
import Foundation
import Testing
@testable import AuthSQLite
import AuthTestSupport

/// The SQLite binding's edges (issue #13, items 6 and 11).
@Suite struct SQLiteConnectionTests {
    @Test func textWithANULIsBoundAndReadWhole() throws {
        let db = try SQLiteConnection(path: makeTestDirectory() + "/nul.db")
        let row = try db.query("SELECT length(CAST(?1 AS BLOB)) AS n, ?1 AS t", [.text("a\0b")]).first
        #expect(row?.int("n") == 3)
        #expect(row?.text("t") == "a\0b")
    }

    @Test func aSymlinkAtTheDatabasePathIsNotFollowed() throws {
        let dir = makeTestDirectory()
        let target = dir + "/elsewhere.db"
        _ = try SQLiteConnection(path: target)
        try FileManager.default.createSymbolicLink(atPath: dir + "/authd.db", withDestinationPath: target)
        #expect(throws: (any Error).self) { try SQLiteConnection(path: dir + "/authd.db") }
        #expect(throws: (any Error).self) { try SQLiteDriver(path: dir + "/authd.db") }
    }
}
