import AuthCrypto
import AuthInterface
import AuthJSON
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Every scenario against one daemon, with the ceilings of the same run: the echo
/// server's round trip at the same shapes, and cores / one hash at the configured cost.
public struct Suite: Sendable {
    public var socket: String
    public var echoSocket: String
    public var backend: String
    public var cost: Int
    public var seconds: Double
    public var warmupSeconds: Double
    public var loginClients: Int
    /// authd's pid, for its memory and the CPU it ran on.
    public var daemonPID: Int32?
    /// authd's signing secret: to mint tokens without `sid` and follow refresh chains.
    public var secret: [UInt8]?
    /// Where the refresh's commit ceiling is measured (`CommitCeiling`).
    public var commitDatabase: String?

    public init(socket: String, echoSocket: String, backend: String, cost: Int, seconds: Double,
                warmupSeconds: Double, loginClients: Int, daemonPID: Int32?, secret: [UInt8]? = nil, commitDatabase: String? = nil) {
        self.secret = secret
        self.commitDatabase = commitDatabase
        self.socket = socket
        self.echoSocket = echoSocket
        self.backend = backend
        self.cost = cost
        self.seconds = seconds
        self.warmupSeconds = warmupSeconds
        self.loginClients = loginClients
        self.daemonPID = daemonPID
    }

    public struct Row: Sendable {
        public var name: String
        public var shape: String
        public var sample: Sample
        public var ceiling: String
        public var ratio: Double?
    }

    public struct Report: Sendable {
        public var rows: [Row]
        public var facts: [(String, String)]
        public var errors: Int { rows.reduce(0) { $0 + $1.sample.errors } }
    }

    public func run(group: MultiThreadedEventLoopGroup) async throws -> Report {
        let wide = LoadShape(connections: 16, depth: 8, seconds: seconds, warmupSeconds: warmupSeconds)
        let single = LoadShape(connections: 1, depth: 1, seconds: seconds, warmupSeconds: warmupSeconds)
        // A few logins a second: twice the time, so that counting whole answers is not most of the error.
        let logins = LoadShape(connections: loginClients, depth: 1, seconds: seconds * 2, warmupSeconds: warmupSeconds)
        func measure(_ workload: Workload, _ shape: LoadShape, on path: String? = nil) async throws -> Sample {
            try await LoadGenerator.run(socket: path ?? socket, workload: workload, shape: shape, group: group)
        }

        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let hashSeconds = try await Self.hashTime(cost: cost)
        let hashCeiling = Double(cores) / hashSeconds
        let echoWide = try await measure(.trivial, wide, on: echoSocket)
        let echoSingle = try await measure(.trivial, single, on: echoSocket)

        let tag = runTag()
        let account = try BenchAccount.make(socket: socket, tag: tag)
        // Logins of their own account: each opens a session, and past the per-user cap
        // (100) they would end the least recently used one, the verified token's.
        let loginAccount = try BenchAccount.make(socket: socket, tag: tag + "l")
        let idleRSS = daemonPID.flatMap(Self.residentKiB)
        var rows: [Row] = []
        func add(_ name: String, _ shape: LoadShape, _ sample: Sample, against ceiling: Double, _ label: String) {
            rows.append(Row(name: name, shape: "\(shape.connections)×\(shape.depth)", sample: sample,
                            ceiling: label, ratio: ceiling > 0 ? sample.requestsPerSecond / ceiling : nil))
        }
        let echoLabel = "echo \(Int(echoWide.requestsPerSecond))/s"
        let hashLabel = "\(cores) cores / \(String(format1: hashSeconds * 1000)) ms"

        let (verifyWide, peakRSS) = try await Self.sampling(daemonPID) { try await measure(.verify(account), wide) }
        add(RPCMethod.verify.rawValue, wide, verifyWide, against: echoWide.requestsPerSecond, echoLabel)
        var facts: [(String, String)] = []
        if let secret {
            // Tokens with sid (authd's own, the rows above) against tokens without (a Flask
            // service's), measured in turn: sid, none, sid.
            let none = try await measure(.verify(token: RefreshChains.tokenWithoutSession(account, secret: secret)), wide)
            let again = try await measure(.verify(account), wide)
            let sid = (verifyWide.requestsPerSecond + again.requestsPerSecond) / 2
            rows.append(Row(name: "\(RPCMethod.verify.rawValue) without sid", shape: "16×8", sample: none,
                            ceiling: "sid \(Int(sid))/s", ratio: none.requestsPerSecond > 0 ? sid / none.requestsPerSecond : nil))
            facts.append(("verify sid / without sid", String(format2: none.requestsPerSecond > 0 ? sid / none.requestsPerSecond : 0)))
        }
        let verifySingle = try await measure(.verify(account), single)
        rows.append(Row(name: RPCMethod.verify.rawValue, shape: "1×1", sample: verifySingle,
                        ceiling: "echo p99 \(Int(echoSingle.percentile(0.99))) µs",
                        ratio: verifySingle.percentile(0.99) > 0 ? echoSingle.percentile(0.99) / verifySingle.percentile(0.99) : nil))
        add(RPCMethod.usersGet.rawValue, wide, try await measure(.usersGet(account), wide), against: echoWide.requestsPerSecond, echoLabel)
        add(RPCMethod.usersList.rawValue, wide, try await measure(.usersList(account), wide), against: echoWide.requestsPerSecond, echoLabel)
        add(RPCMethod.login.rawValue, logins, try await measure(.login(loginAccount), logins), against: hashCeiling, hashLabel)
        add(RPCMethod.register.rawValue, logins, try await measure(.register(tag: tag), logins), against: hashCeiling, hashLabel)
        if let secret, let commitDatabase {
            // One refresh chain per connection, so one request in flight on each.
            let refreshes = LoadShape(connections: 16, depth: 1, seconds: seconds, warmupSeconds: warmupSeconds)
            let chains = try RefreshChains(socket: socket, account: account, connections: refreshes.connections, secret: secret)
            let commits = try await CommitCeiling.measure(database: commitDatabase, connections: refreshes.connections, seconds: seconds)
            let refreshed = try await measure(.refresh(chains), refreshes)
            add(RPCMethod.refresh.rawValue, refreshes, refreshed, against: commits, "commits \(Int(commits))/s")
            // authd's storage pool has 2 connections a core by default: its own commit ceiling.
            let pool = 2 * cores
            let poolCommits = try await CommitCeiling.measure(database: commitDatabase, connections: pool, seconds: seconds)
            rows.append(Row(name: "\(RPCMethod.refresh.rawValue) vs pool-size commits", shape: "16×1", sample: refreshed,
                            ceiling: "commits on \(pool) \(Int(poolCommits))/s", ratio: poolCommits > 0 ? refreshed.requestsPerSecond / poolCommits : nil))
            facts.append(("commit ceiling", "\(Int(commits))/s on 16 connections, \(Int(poolCommits))/s on \(pool)"))
        }

        // Verification while logins run flat out: its p99 is what matters.
        async let flood = measure(.login(loginAccount), logins)
        let verifyDuringFlood = try await measure(.verify(account), single)
        let loginDuringFlood = try await flood
        rows.append(Row(name: "\(RPCMethod.verify.rawValue) during login flood", shape: "1×1", sample: verifyDuringFlood,
                        ceiling: "p99 target 2 ms", ratio: nil))
        add("\(RPCMethod.login.rawValue) during verify", logins, loginDuringFlood, against: hashCeiling, hashLabel)

        facts = [
            ("backend", backend), ("cores", String(cores)), ("bcrypt cost", String(cost)),
            ("one hash", "\(String(format1: hashSeconds * 1000)) ms"),
            ("login ceiling", "\(String(format1: hashCeiling))/s"),
            ("echo 16×8", "\(Int(echoWide.requestsPerSecond))/s"),
            ("echo 1×1", "\(Int(echoSingle.requestsPerSecond))/s, p99 \(Int(echoSingle.percentile(0.99))) µs"),
            ("bench CPU", Self.cpuDescription(getpid())),
        ] + facts
        if let daemonPID {
            facts.append(("authd CPU", Self.cpuDescription(daemonPID)))
            if let idleRSS { facts.append(("authd RSS idle", "\(idleRSS / 1024) MiB")) }
            if let peakRSS { facts.append(("authd RSS under 16×8", "\(peakRSS / 1024) MiB")) }
        }
        return Report(rows: rows, facts: facts)
    }

    /// The median of three hashes at `cost` on this thread's core.
    static func hashTime(cost: Int) async throws -> Double {
        let hasher = try BcryptHasher(cost: cost, threads: 1, queueLimit: 4)
        var times: [Double] = []
        for _ in 0..<3 {
            let start = monotonicNanos()
            _ = try await hasher.hash(BenchAccount.password)
            times.append(Double(monotonicNanos() - start) / 1e9)
        }
        return times.sorted()[1]
    }

    /// Runs `body` while sampling the daemon's resident memory every 100 ms; the peak.
    static func sampling<T: Sendable>(_ pid: Int32?, _ body: () async throws -> T) async throws -> (T, Int?) {
        guard let pid else { return (try await body(), nil) }
        let sampler = Task {
            var peak = 0
            while !Task.isCancelled {
                peak = max(peak, residentKiB(pid) ?? 0)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return peak
        }
        let result = try await body()
        sampler.cancel()
        return (result, await sampler.value)
    }

    /// VmRSS of a process, in KiB.
    static func residentKiB(_ pid: Int32) -> Int? {
        procLines("/proc/\(pid)/status").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Int($0.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") }
    }

    /// The CPUs a process may run on and the one it last ran on.
    static func cpuDescription(_ pid: Int32) -> String {
        let allowed = procLines("/proc/\(pid)/status").first { $0.hasPrefix("Cpus_allowed_list:") }
            .map { $0.split(separator: "\t").last.map(String.init) ?? "?" } ?? "?"
        // Field 39 of /proc/pid/stat, counted after the command name's closing parenthesis.
        let stat = procLines("/proc/\(pid)/stat").first ?? ""
        let last = stat.split(separator: ")").last.map { $0.split(separator: " ") }
        let cpu = last.flatMap { $0.count > 36 ? String($0[36]) : nil } ?? "?"
        return "allowed \(allowed), last on \(cpu)"
    }

    static func procLines(_ path: String) -> [String] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            lines.append(String(cString: buffer).trimmingNewline())
        }
        return lines
    }
}

extension String {
    public init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }

    func trimmingNewline() -> String {
        hasSuffix("\n") ? String(dropLast()) : self
    }
}

extension Suite.Report {
    /// One table: each row's throughput, latency, errors and ratio to its ceiling.
    public func table() -> String {
        var out = facts.map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n\n"
        let header = ["scenario", "shape", "req/s", "p50 µs", "p99 µs", "p99.9 µs", "errors", "ceiling", "ratio"]
        var cells = [header]
        for row in rows {
            cells.append([
                row.name, row.shape, String(Int(row.sample.requestsPerSecond.rounded())),
                String(Int(row.sample.percentile(0.5))), String(Int(row.sample.percentile(0.99))),
                String(Int(row.sample.percentile(0.999))), String(row.sample.errors), row.ceiling,
                row.ratio.map { String(format2: $0) } ?? "—",
            ])
        }
        let widths = header.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        for line in cells {
            out += line.enumerated().map { index, cell in
                index < 2 || index == 7 ? cell.padding(widths[index]) : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: "  ") + "\n"
        }
        for row in rows where row.sample.firstError != nil {
            out += "first error in \(row.name): \(row.sample.firstError!)\n"
        }
        return out
    }

    public var json: JSON {
        .object([
            "facts": .object(Dictionary(uniqueKeysWithValues: facts.map { ($0.0, JSON.string($0.1)) })),
            "rows": .array(rows.map { row in
                var object = row.sample.json.object ?? [:]
                object["scenario"] = .string(row.name)
                object["shape"] = .string(row.shape)
                object["ceiling"] = .string(row.ceiling)
                object["ratio"] = row.ratio.map { .number(String(format2: $0)) } ?? .null
                return .object(object)
            }),
        ])
    }
}

extension String {
    init(format2 value: Double) {
        let hundredths = Int((value * 100).rounded())
        self = "\(hundredths / 100).\(String(abs(hundredths % 100)).leftPadded(2))"
    }

    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }

    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}

/// A file's lines (a token file of `make bench-scale`).
public func readLines(_ path: String) throws -> [String] {
    guard let file = fopen(path, "r") else { throw BenchError("cannot read \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&chunk, 1, chunk.count, file)
        if n == 0 { break }
        bytes += chunk[..<n]
    }
    return bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
}

/// Writes bytes to a file, replacing it.
public func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    guard let file = fopen(path, "w") else { throw BenchError("cannot write \(path)") }
    defer { fclose(file) }
    guard fwrite(bytes, 1, bytes.count, file) == bytes.count else { throw BenchError("cannot write \(path)") }
}
