import AuthBench
import Foundation
import ArgumentParser
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

@main
struct AuthdBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authd-bench",
        abstract: "Load generator for authd: the real protocol over the real socket.",
        subcommands: [SuiteCommand.self, RunCommand.self, EchoServerCommand.self, FirstAnswerCommand.self])
}

struct LoadOptions: ParsableArguments {
    @Option(help: "Seconds measured per scenario.") var seconds: Double = 5
    @Option(help: "Seconds of load before measuring starts.") var warmup: Double = 1
    @Option(help: "Client event-loop threads.") var threads: Int = 1
}

struct SuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite", abstract: "Every scenario and both ceilings; one table. Exits 1 on any error response.")

    @Option(help: "authd's socket.") var socket: String
    @Option(help: "An `authd-bench echo-server` socket, for the transport ceiling (default: one in this process).")
    var echoSocket: String?
    @Option(help: "A name for the table (sqlite, postgresql).") var backend = "sqlite"
    @Option(help: "The bcrypt cost authd hashes with.") var cost = 12
    @Option(help: "Connections logging in (or registering) flat out.") var loginClients = 8
    @Option(help: "authd's pid, to report its memory and CPU.") var daemonPid: Int32?
    @Option(help: "Also write the results as JSON to this file.") var json: String?
    @Option(help: ArgumentHelp("Where to measure the refresh's ceiling: sqlite:PATH of a scratch file beside authd's, or authd's "
                               + "PostgreSQL URL. With $JWT_SECRET_KEY (authd's), the suite adds refresh and verify without sid.",
                               valueName: "url"))
    var commitDatabase: String?
    @OptionGroup var load: LoadOptions

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: load.threads)
        var echo: (Channel, MultiThreadedEventLoopGroup)?
        if echoSocket == nil {
            let echoGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let path = "/tmp/authd-bench-echo-\(getpid()).sock"
            echo = (try await EchoServer.start(socket: path, group: echoGroup), echoGroup)
        }
        defer { if let (channel, _) = echo { channel.close(promise: nil); unlink("/tmp/authd-bench-echo-\(getpid()).sock") } }
        let suite = Suite(socket: socket, echoSocket: echoSocket ?? "/tmp/authd-bench-echo-\(getpid()).sock", backend: backend, cost: cost, seconds: load.seconds,
                          warmupSeconds: load.warmup, loginClients: loginClients, daemonPID: daemonPid,
                          secret: ProcessInfo.processInfo.environment["JWT_SECRET_KEY"].map { Array($0.utf8) }.flatMap { $0.isEmpty ? nil : $0 },
                          commitDatabase: commitDatabase)
        let report = try await suite.run(group: group)
        print(report.table())
        if let json { try writeFile(json, report.json.serialized() + [0x0A]) }
        try await group.shutdownGracefully()
        if report.errors > 0 { throw ExitCode(1) }
    }
}

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "One scenario.")

    @Option(help: "The server's socket.") var socket: String
    @Option(help: "verify, users.get, users.list, login, register, trivial.") var scenario: String
    @Option(name: .shortAndLong, help: "Connections.") var connections = 16
    @Option(name: .shortAndLong, help: "Requests in flight per connection.") var depth = 8
    @Flag(help: "Print JSON instead of a line of text.") var json = false
    @Option(help: "verify: a file of tokens, one a line, checked in turn (default: one token of a new account).")
    var tokens: String?
    @OptionGroup var load: LoadOptions

    func run() async throws {
        guard let chosen = Scenario(rawValue: scenario), chosen != .mixed else {
            throw ValidationError("unknown scenario \(scenario) (the suite runs mixed)")
        }
        let workload: Workload
        switch chosen {
        case .trivial: workload = .trivial
        case .register: workload = .register(tag: runTag())
        case .verify where tokens != nil:
            workload = .verify(cycling: try readLines(tokens!))
        default:
            let account = try BenchAccount.make(socket: socket, tag: runTag())
            switch chosen {
            case .verify: workload = .verify(account)
            case .usersGet: workload = .usersGet(account)
            case .usersList: workload = .usersList(account)
            default: workload = .login(account)
            }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: load.threads)
        let shape = LoadShape(connections: connections, depth: depth, seconds: load.seconds, warmupSeconds: load.warmup)
        let sample = try await LoadGenerator.run(socket: socket, workload: workload, shape: shape, group: group)
        try await group.shutdownGracefully()
        if json {
            print(String(decoding: sample.json.serialized(), as: UTF8.self))
        } else {
            print("\(scenario) \(connections)×\(depth): \(Int(sample.requestsPerSecond))/s, p50 \(Int(sample.percentile(0.5))) µs, "
                  + "p99 \(Int(sample.percentile(0.99))) µs, p99.9 \(Int(sample.percentile(0.999))) µs, \(sample.errors) errors"
                  + (sample.firstError.map { " (first: \($0))" } ?? ""))
        }
        if sample.errors > 0 { throw ExitCode(1) }
    }
}

struct EchoServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "echo-server", abstract: "Serve the transport ceiling: every byte echoed back.")

    @Option(help: "Where to listen.") var socket: String
    @Option(help: "Event-loop threads.") var threads = 1

    func run() async throws {
        try await EchoServer.run(socket: socket, group: MultiThreadedEventLoopGroup(numberOfThreads: threads))
    }
}

struct FirstAnswerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "first-answer", abstract: "Milliseconds from connecting to the first answer (launch under socket activation).")

    @Option(help: "The socket.") var socket: String

    func run() async throws {
        print(String(format1: try FirstAnswer.measure(socket: socket)))
    }
}
