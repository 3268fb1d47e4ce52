import AuthCore
import AuthCrypto
import AuthInterface
import AuthJSON
import AuthSQLite
import Foundation
import Logging
import Testing
@testable import AuthDaemon

/// A real dispatcher over a real service and a fresh SQLite file, with helpers to
/// send one request and read its answer.
final class DispatcherHarness: Sendable {
    static let user = Caller(uid: 1000, isPrivileged: false)
    static let root = Caller(uid: 0, isPrivileged: true)
    static let password = "Secret#123"

    let dispatcher: RPCDispatcher
    let hasher: BcryptHasher
    let path: String

    init() async throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("authd-unit-\(UUID().uuidString).db").path
        let store = try await SQLiteStore(path: path, connections: 2)
        hasher = try BcryptHasher(cost: 4, threads: 2, queueLimit: 64)
        let service = AuthService(
            store: store, hasher: hasher,
            tokens: try HS256Codec(secret: Array(repeating: 0x61, count: 32)), factors: try MFACodec(key: Array(repeating: 0x6D, count: 32)))
        dispatcher = RPCDispatcher(service: service, logger: Logger(label: "authd-unit-tests"), metrics: RequestMetrics())
    }

    deinit {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The answer to one raw line, read back from the text authd would send.
    func handle(_ line: String, caller: Caller = DispatcherHarness.user) async -> JSON? {
        await handle(Array(line.utf8), caller: caller)
    }

    func handle(_ line: [UInt8], caller: Caller = DispatcherHarness.user) async -> JSON? {
        guard let text = await dispatcher.handle(line, caller: caller) else { return nil }
        #expect(!text.contains(UInt8(ascii: "\n")), "an answer is one line")
        return try? JSONParser.parse(text)
    }

    /// The response object to one request with id 1.
    func send(_ method: String, _ params: [String: JSON] = [:], caller: Caller = DispatcherHarness.user) async throws -> JSON {
        let line = RPCRequest(id: 1, method: method, params: params).json.text
        let response = try #require(await handle(line, caller: caller))
        #expect(response["id"] == 1)
        #expect(response["jsonrpc"] == "2.0")
        return response
    }

    /// The result of a request that must succeed.
    func result(_ method: String, _ params: [String: JSON] = [:], caller: Caller = DispatcherHarness.user) async throws -> JSON {
        let response = try await send(method, params, caller: caller)
        return try #require(response["result"], "\(method) failed: \(response.text)")
    }

    /// The error of a request that must fail.
    func error(_ method: String, _ params: [String: JSON] = [:], caller: Caller = DispatcherHarness.user) async throws -> RPCError {
        let response = try await send(method, params, caller: caller)
        #expect(response["result"] == nil)
        return try #require(response["error"].flatMap(RPCError.init(json:)), "\(method) succeeded: \(response.text)")
    }

    /// Registers a user and returns their id.
    @discardableResult
    func register(_ username: String, _ email: String? = nil, password: String = DispatcherHarness.password) async throws -> Int64 {
        let user = try await result("auth.register", [
            "username": .string(username), "email": .string(email ?? "\(username)@example.com"), "password": .string(password),
        ])
        return try #require(user["id"]?.int64)
    }

    /// Logs in by username and returns the access token.
    func login(_ username: String, password: String = DispatcherHarness.password) async throws -> String {
        let r = try await result("auth.login", ["username": .string(username), "password": .string(password)])
        return try #require(r["access_token"]?.string)
    }

    /// Whether `auth.verify` calls the token active.
    func isActive(_ token: String) async throws -> Bool {
        try #require(try await result("auth.verify", ["token": .string(token)])["active"]?.bool)
    }
}

extension RPCError {
    /// `data.fields` as plain dictionaries.
    var fields: [String: [String]]? {
        data["fields"]?.object?.mapValues { $0.array?.compactMap(\.string) ?? [] }
    }
}
