import AuthClient
import AuthCore
import AuthCrypto
import AuthInterface
import AuthJSON
import AuthPostgres
import AuthSQLite
import AuthStore
import AuthThreads
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One refresh-token chain per connection. authd's successor of a refresh token is a keyed
/// function of it (so that a retry gets the same pair), and the bench shares authd's
/// secret, so each connection knows its next token without reading the answer: one
/// request in flight per connection, each presenting the token the previous one made.
public final class RefreshChains: Sendable {
    private let current: Mutex<[Int: String]>
    private let codec: HS256Codec

    /// Logs `account` in once per connection: a session each.
    public init(socket: String, account: BenchAccount, connections: Int, secret: [UInt8]) throws {
        codec = try HS256Codec(secret: secret)
        let client = try AuthClient(path: socket, timeout: 120)
        var tokens: [Int: String] = [:]
        for c in 0..<connections {
            let login = try client.call(.login, RPCMethod.login.params([
                .username: .string(account.username), .password: .string(BenchAccount.password),
            ])).get()
            guard let token = login[ResultKey.refreshToken.rawValue]?.string else { throw BenchError("no refresh token: \(login)") }
            tokens[c] = token
        }
        current = Mutex(tokens)
    }

    /// The token connection `c` presents next; the one after it is its successor.
    func next(_ c: Int) -> String {
        current.withLock { tokens in
            let token = tokens[c]!
            tokens[c] = codec.successor(ofRefreshToken: token)
            return token
        }
    }

    /// A token of the account as a Flask service would mint it: signed with the shared
    /// secret, without `sid`.
    public static func tokenWithoutSession(_ account: BenchAccount, secret: [UInt8]) throws -> String {
        let now = Int64(time(nil))
        return try HS256Codec(secret: secret).encode(AccessClaims(sub: String(account.id), jti: "bench-\(runTag())", fresh: .flag(false),
                                         iat: now, nbf: now, exp: now + 3600))
    }
}

extension Workload {
    /// Refreshes along each connection's chain (depth 1: each needs the previous rotation).
    public static func refresh(_ chains: RefreshChains) -> Workload {
        Workload(mustContain: #""\#(ResultKey.refreshToken.rawValue)""#) { connection, id in
            line(id, .refresh, [.refreshToken: .string(chains.next(connection))])
        }
    }

    public static func verify(token: String) -> Workload {
        fixed(.verify, [.token: .string(token)], mustContain: #""\#(ResultKey.active.rawValue)":true"#)
    }
}

/// The refresh's ceiling: the commit rate of the same store with the same durability
/// settings, one small durable write per transaction, from as many connections as the
/// load, on connections made as authd makes them (WAL with synchronous=FULL on SQLite;
/// libpq with the server's synchronous_commit on PostgreSQL).
public enum CommitCeiling {
    /// `database`: `sqlite:PATH` of a scratch file next to authd's (its own is locked by
    /// authd), or authd's PostgreSQL URL (a table of its own, dropped after).
    public static func measure(database: String, connections: Int, seconds: Double) async throws -> Double {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Double, any Error>) in
            PosixThread.start(name: "commit-ceiling") {
                done.resume(with: Result { try measureBlocking(database: database, connections: connections, seconds: seconds) })
            }
        }
    }

    static func measureBlocking(database: String, connections: Int, seconds: Double) throws -> Double {
        let table = "bench_commits_\(runTag())"
        let open: @Sendable () throws -> any SQLConnection
        let ddl: String
        let insert: String
        if database.hasPrefix("sqlite:") {
            let driver = try SQLiteDriver(path: String(database.dropFirst("sqlite:".count)))
            open = { try driver.connect() }
            ddl = "CREATE TABLE \(table) (id TEXT PRIMARY KEY, at INTEGER NOT NULL)"
            insert = "INSERT INTO \(table) (id, at) VALUES (?1, ?2)"
        } else {
            let driver = try PostgresDriver(conninfo: database, timeout: .seconds(30))
            open = { try driver.connect() }
            ddl = "CREATE TABLE \(table) (id TEXT PRIMARY KEY, at BIGINT NOT NULL)"
            insert = "INSERT INTO \(table) (id, at) VALUES ($1, $2)"
        }
        let setup = try open()
        try setup.execute(ddl)
        defer { try? setup.execute("DROP TABLE \(table)") }
        let commits = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let busy = Atomic<Int>(0)
        let done = PosixCondition()
        let finished = Mutex(0)
        let start = monotonicNanos()
        let end = start + UInt64(seconds * 1e9)
        for c in 0..<connections {
            PosixThread.start(name: "commit-\(c)") {
                if let db = try? open() {
                    var n = 0
                    while monotonicNanos() < end {
                        n += 1
                        do {
                            try db.writeTransaction { try db.query(insert, [.text("\(c)-\(n)"), .integer(Int64(n))]) }
                            commits.add(1, ordering: .relaxed)
                        } catch {
                            // SQLite's busy timeout under 16 writers: a commit not made, not a
                            // fault of the measurement (authd would answer -32050).
                            busy.add(1, ordering: .relaxed)
                        }
                    }
                } else {
                    failures.add(1, ordering: .relaxed)
                }
                done.lock()
                finished.withLock { $0 += 1 }
                done.signal()
                done.unlock()
            }
        }
        done.lock()
        while finished.withLock({ $0 }) < connections { done.wait() }
        done.unlock()
        guard failures.load(ordering: .relaxed) == 0 else { throw BenchError("the commit ceiling saw \(failures.load(ordering: .relaxed)) failed commits") }
        return Double(commits.load(ordering: .relaxed)) / (Double(monotonicNanos() - start) / 1e9)
    }
}
