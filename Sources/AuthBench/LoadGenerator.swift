import AuthJSON
import AuthWire
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What one stream of requests sends, and how it knows an answer is a success.
public struct Workload: Sendable {
    /// The request with the given id, as one line (newline included).
    public var request: @Sendable (_ connection: Int, _ id: Int) -> [UInt8]
    /// A success must contain these bytes (e.g. `"active":true`); nil accepts any result.
    public var mustContain: [UInt8]?

    public init(mustContain: String? = nil, request: @escaping @Sendable (_ connection: Int, _ id: Int) -> [UInt8]) {
        self.request = request
        self.mustContain = mustContain.map { Array($0.utf8) }
    }
}

/// How hard to push: connections, requests in flight on each, and for how long.
public struct LoadShape: Sendable, Codable {
    public var connections: Int
    public var depth: Int
    public var seconds: Double
    public var warmupSeconds: Double

    public init(connections: Int, depth: Int, seconds: Double, warmupSeconds: Double) {
        self.connections = connections
        self.depth = depth
        self.seconds = seconds
        self.warmupSeconds = warmupSeconds
    }
}

/// Monotonic nanoseconds.
@inline(__always) func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Drives one workload over real Unix-socket connections with NIO: each connection
/// keeps `depth` requests in flight, answers are matched by id, and only those that
/// arrive between the end of the warm-up and the end are measured.
public enum LoadGenerator {
    public static func run(
        socket path: String, workload: Workload, shape: LoadShape, group: MultiThreadedEventLoopGroup
    ) async throws -> Sample {
        let start = monotonicNanos()
        let window = Window(
            measureFrom: start + UInt64(shape.warmupSeconds * 1e9),
            stopAt: start + UInt64((shape.warmupSeconds + shape.seconds) * 1e9))
        let collector = Collector()
        var channels: [Channel] = []
        for index in 0..<shape.connections {
            let handler = LoadHandler(index: index, workload: workload, depth: shape.depth, window: window, collector: collector)
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            ByteToMessageHandler(LineFrameDecoder(maxLength: 16 << 20, lastLine: .drop)), handler,
                        ])
                    }
                }
                .connect(unixDomainSocketPath: path).get()
            channels.append(channel)
        }
        // Every handler closes its channel once it has nothing in flight after the end.
        for channel in channels { try? await channel.closeFuture.get() }
        return collector.sample(seconds: shape.seconds)
    }
}

struct Window: Sendable {
    var measureFrom: UInt64
    var stopAt: UInt64
}

/// Latencies and errors of one run, merged from every connection.
final class Collector: Sendable {
    private struct State {
        var latencies: [UInt64] = []
        var errors = 0
        var unmeasured = 0
        var firstError: String?
    }
    private let state = Mutex(State())

    func add(latencies: [UInt64], errors: Int, unmeasured: Int, firstError: String?) {
        state.withLock { s in
            s.latencies += latencies
            s.errors += errors
            s.unmeasured += unmeasured
            if s.firstError == nil { s.firstError = firstError }
        }
    }

    func sample(seconds: Double) -> Sample {
        state.withLock { s in
            Sample(latencies: s.latencies, errors: s.errors, seconds: seconds, firstError: s.firstError)
        }
    }
}

/// One connection's loop: send up to `depth`, and one more for every answer until the end.
final class LoadHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    private let index: Int
    private let workload: Workload
    private let depth: Int
    private let window: Window
    private let collector: Collector
    private var nextID = 1
    private var sentAt: [Int: UInt64] = [:]
    private var latencies: [UInt64] = []
    private var errors = 0
    private var unmeasured = 0
    private var firstError: String?
    /// When the lines being read arrived; nil between reads.
    private var readAt: UInt64?
    private var sentSinceFlush = false
    private var finished = false

    init(index: Int, workload: Workload, depth: Int, window: Window, collector: Collector) {
        self.index = index
        self.workload = workload
        self.depth = depth
        self.window = window
        self.collector = collector
        latencies.reserveCapacity(1 << 16)
    }

    func channelActive(context: ChannelHandlerContext) {
        for _ in 0..<depth { send(context, now: monotonicNanos()) }
        context.flush()
        // Answers that never come must not hang the run: ten seconds after the end,
        // whatever is still in flight counts as failed.
        let deadline = NIODeadline.uptimeNanoseconds(window.stopAt + 10_000_000_000)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.abandon(context, reason: "no answer within 10 s after the end")
        }
    }

    private func send(_ context: ChannelHandlerContext, now: UInt64) {
        let id = nextID
        nextID += 1
        sentAt[id] = now
        let bytes = workload.request(index, id)
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // One clock reading for the lines of one read, as they arrived together.
        let now = readAt ?? monotonicNanos()
        readAt = now
        guard case .line(let line) = unwrapInboundIn(data) else {
            abandon(context, reason: "an answer longer than 16 MiB")
            return
        }
        answered(Array(line.readableBytesView), now: now)
        if now < window.stopAt {
            send(context, now: now)
            sentSinceFlush = true
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard let now = readAt else { return }
        readAt = nil
        if sentSinceFlush {
            sentSinceFlush = false
            context.flush()
        }
        if now >= window.stopAt && sentAt.isEmpty { finish(context) }
    }

    private func answered(_ line: [UInt8], now: UInt64) {
        guard let id = Self.id(in: line), let started = sentAt.removeValue(forKey: id) else {
            errors += 1
            note(line)
            return
        }
        // Throughput counts the answers that arrive inside the window, whenever they
        // were sent (a login can take longer than the warm-up).
        guard now >= window.measureFrom, now <= window.stopAt else {
            unmeasured += 1
            return
        }
        if Self.isError(line) || (workload.mustContain.map { !Self.contains(line, $0) } ?? false) {
            errors += 1
            note(line)
        } else {
            latencies.append(now - started)
        }
    }

    private func note(_ line: [UInt8]) {
        if firstError == nil { firstError = String(decoding: line.prefix(300), as: UTF8.self) }
    }

    private func finish(_ context: ChannelHandlerContext) {
        guard !finished else { return }
        finished = true
        collector.add(latencies: latencies, errors: errors, unmeasured: unmeasured, firstError: firstError)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandon(context, reason: "connection closed by the server")
    }

    /// Ends the connection's run, counting what is still in flight as failed.
    private func abandon(_ context: ChannelHandlerContext, reason: String) {
        guard !finished else { return }
        errors += sentAt.count
        if firstError == nil && !sentAt.isEmpty { firstError = "\(reason) with \(sentAt.count) requests in flight" }
        sentAt.removeAll()
        finish(context)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if firstError == nil { firstError = "\(error)" }
        context.close(promise: nil)
    }

    /// authd writes object keys sorted, so an error response starts with `{"error"`.
    static func isError(_ line: [UInt8]) -> Bool {
        line.starts(with: #"{"error""#.utf8)
    }

    /// The response's id. authd writes keys sorted, so in a success `"id"` comes first;
    /// an error's object comes before it and may hold an `"id"` of its own, so errors
    /// (rare) are parsed in full.
    static func id(in line: [UInt8]) -> Int? {
        if isError(line) {
            return (try? JSONParser.parse(line))?["id"]?.int64.map { Int($0) }
        }
        let key = Array(#""id":"#.utf8)
        guard let start = firstRange(of: key, in: line) else { return nil }
        var value = 0
        var index = start + key.count
        var digits = 0
        while index < line.count, line[index] >= 0x30, line[index] <= 0x39, digits < 18 {
            value = value * 10 + Int(line[index] - 0x30)
            index += 1
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    static func contains(_ line: [UInt8], _ needle: [UInt8]) -> Bool {
        firstRange(of: needle, in: line) != nil
    }

    private static func firstRange(of needle: [UInt8], in line: [UInt8]) -> Int? {
        guard needle.count <= line.count else { return nil }
        var i = 0
        while i <= line.count - needle.count {
            if line[i] == needle[0] {
                var j = 1
                while j < needle.count && line[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}
