import AuthClient
import AuthInterface
import AuthJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The load the generator can put on authd. Each names the method it drives.
public enum Scenario: String, CaseIterable, Sendable {
    case verify
    case usersGet = "users.get"
    case usersList = "users.list"
    case login
    case register
    /// `verify` load while `loginClients` connections log in flat out.
    case mixed
    /// A request any line-echoing server answers: the transport's ceiling.
    case trivial
}

/// A user the scenarios act as, made through the real protocol before the run.
public struct BenchAccount: Sendable {
    public static let password = "Bench-password-1"
    public let id: Int64
    public let username: String
    public let token: String

    /// Registers a fresh user (a unique name per run) and logs it in.
    public static func make(socket: String, tag: String) throws -> BenchAccount {
        let client = try AuthClient(path: socket, timeout: 120)
        let username = "bench_\(tag)"
        let user = try client.call(.register, RPCMethod.register.params([
            .username: .string(username), .email: .string("\(username)@bench.example"), .password: .string(password),
        ])).get()
        let login = try client.call(.login, RPCMethod.login.params([.username: .string(username), .password: .string(password)])).get()
        guard let id = user[ResultKey.id.rawValue]?.int64, let token = login[ResultKey.accessToken.rawValue]?.string else {
            throw BenchError("unexpected answers while setting up: \(user) \(login)")
        }
        return BenchAccount(id: id, username: username, token: token)
    }
}

public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Workload {
    /// A request line with the id first, as the echo server and the id scanner expect.
    static func line(_ id: Int, _ method: RPCMethod, _ params: KeyValuePairs<ParamSpec, JSON>) -> [UInt8] {
        Array(#"{"id":\#(id),"jsonrpc":"2.0","method":"\#(method.rawValue)","params":"#.utf8)
            + JSON.object(method.params(params)).serialized() + Array("}\n".utf8)
    }

    /// A request whose params are fixed: serialized once.
    static func fixed(_ method: RPCMethod, _ params: KeyValuePairs<ParamSpec, JSON>, mustContain: String? = nil) -> Workload {
        let head = Array(#"{"id":"#.utf8)
        let tail = Array(#","jsonrpc":"2.0","method":"\#(method.rawValue)","params":"#.utf8)
            + JSON.object(method.params(params)).serialized() + Array("}\n".utf8)
        return Workload(mustContain: mustContain) { _, id in head + Array(String(id).utf8) + tail }
    }

    public static func verify(_ account: BenchAccount) -> Workload {
        fixed(.verify, [.token: .string(account.token)], mustContain: #""\#(ResultKey.active.rawValue)":true"#)
    }

    /// `auth.verify` over many tokens, in turn across every connection (`make bench-scale`):
    /// each must be active.
    public static func verify(cycling tokens: [String]) -> Workload {
        let next = Atomic<Int>(0)
        let head = Array(#","jsonrpc":"2.0","method":"\#(RPCMethod.verify.rawValue)","params":{"token":""#.utf8)
        let lines = tokens.map { Array($0.utf8) + Array(#""}}"#.utf8) + [0x0A] }
        return Workload(mustContain: #""\#(ResultKey.active.rawValue)":true"#) { _, id in
            let n = next.add(1, ordering: .relaxed).oldValue
            return Array(#"{"id":"#.utf8) + Array(String(id).utf8) + head + lines[n % lines.count]
        }
    }

    public static func usersGet(_ account: BenchAccount) -> Workload {
        fixed(.usersGet, [.id: .int(account.id), .callerToken: .string(account.token)])
    }

    public static func usersList(_ account: BenchAccount) -> Workload {
        fixed(.usersList, [.callerToken: .string(account.token)], mustContain: #""\#(ResultKey.users.rawValue)":["#)
    }

    public static func login(_ account: BenchAccount) -> Workload {
        fixed(.login, [.username: .string(account.username), .password: .string(BenchAccount.password)],
              mustContain: #""\#(ResultKey.accessToken.rawValue)""#)
    }

    /// A new user per request, named after the run, the connection and the id.
    public static func register(tag: String) -> Workload {
        Workload(mustContain: #""\#(ResultKey.username.rawValue)""#) { connection, id in
            let name = "b\(tag)_\(connection)_\(id)"
            return line(id, .register, [
                .username: .string(name), .email: .string("\(name)@bench.example"),
                .password: .string(BenchAccount.password),
            ])
        }
    }

    public static let trivial = Workload { _, id in Array(#"{"id":\#(id),"jsonrpc":"2.0","method":"bench.echo"}"#.utf8) + [0x0A] }
}

/// A short tag that keeps names of one run apart from another's.
public func runTag() -> String {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return String(UInt64(now.tv_sec) % 100_000_000, radix: 36) + String(getpid(), radix: 36)
}
