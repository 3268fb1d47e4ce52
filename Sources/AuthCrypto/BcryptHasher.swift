import AuthCore
import AuthThreads
import Synchronization

/// Passwords as bcrypt `$2b$` crypt(5) strings through libxcrypt, hashed on a
/// bounded pool of threads of their own.
public struct BcryptHasher: PasswordHasher {
    public static let prefix = "$2b$"
    public let cost: Int
    public let dummyHash: String
    /// What `users.import` accepts.
    public let importForm: ImportedHashForm
    private let pool: WorkerPool<Void>
    private let counter = Counter()

    /// - Parameters:
    ///   - threads: hashing threads; one per core is the ceiling hashing can use.
    ///   - queueLimit: hashes that may wait; past it, callers get `unavailable` at once.
    public init(cost: Int = 12, threads: Int, queueLimit: Int, importForm: ImportedHashForm? = nil) throws {
        guard (4...31).contains(cost), let setting = XCrypt.setting(prefix: Self.prefix, cost: cost) else {
            throw AuthError(.internal, "bcrypt cost must be between 4 and 31")
        }
        self.cost = cost
        self.importForm = importForm ?? ImportedHashForm(configuredCost: cost)
        // A setting plus any checksum: verifying against it costs a full hash and never matches.
        self.dummyHash = setting + String(repeating: ".", count: 31)
        // Niceness 5: a flood of logins must not starve token verification.
        self.pool = WorkerPool(name: "hash", threads: threads, queueLimit: queueLimit, niceness: 5) { () }
    }

    public var queueDepth: Int { pool.queueDepth }

    /// Hashes computed so far (made or checked), for tests and metrics.
    public var computations: Int { counter.value.load(ordering: .relaxed) }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await run { _ in
            guard let setting = XCrypt.setting(prefix: Self.prefix, cost: cost),
                  let hash = XCrypt.crypt(password, setting: setting) else {
                throw AuthError(.internal, "libxcrypt refused to hash")
            }
            return hash
        }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        if password.utf8.contains(0) { return false }
        return try await run { _ in
            guard let computed = XCrypt.crypt(password, setting: hash) else { return false }
            return OpenSSL.constantTimeEqual(Array(computed.utf8), Array(hash.utf8))
        }
    }

    public func needsRehash(_ hash: String) -> Bool {
        guard hash.hasPrefix(Self.prefix), let cost = Self.cost(of: hash) else { return true }
        return cost < self.cost
    }

    public func importRefusal(_ hash: String) -> String? {
        if let refusal = importForm.refusal(hash) { return refusal }
        // libxcrypt's own reading of the setting, which computes nothing.
        return XCrypt.isVerifiable(hash) ? nil : ImportedHashForm.unknown
    }

    /// The cost of a bcrypt hash (`$2?$NN$...`).
    static func cost(of hash: String) -> Int? {
        let parts = hash.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[1].hasPrefix("2"), parts[2].count == 2 else { return nil }
        return Int(parts[2])
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable (inout Void) throws -> T) async throws -> T {
        counter.value.add(1, ordering: .relaxed)
        do {
            return try await pool.run(body)
        } catch is PoolOverloaded {
            throw AuthError.unavailable("Too many password checks queued; retry shortly", retryAfter: 1)
        }
    }
}

/// The hash counter, shared by the hasher's copies.
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}
