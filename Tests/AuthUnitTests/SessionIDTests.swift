import AuthCrypto
import AuthSQLite
import Foundation
import Testing
@testable import AuthCore

/// Session ids go on command lines (`authctl session revoke ID`): one beginning with "-"
/// would be taken for an option (base64url begins so once in 64).
@Suite struct SessionIDTests {
    @Test func aSessionIDNeverBeginsWithAHyphen() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("authd-ids-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let service = AuthService(store: try await SQLiteStore(path: path, connections: 1),
                                  hasher: try BcryptHasher(cost: 4, threads: 1, queueLimit: 4),
                                  tokens: try HS256Codec(secret: Array(repeating: 0x61, count: 32)))
        let ids = (0..<2000).map { _ in service.newSessionID() }
        #expect(ids.allSatisfy { !$0.hasPrefix("-") && $0.utf8.count >= 43 })
        #expect(Set(ids).count == ids.count)
    }
}
