import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Thrown when a pool's queue is full: the caller should answer "busy, retry".
public struct PoolOverloaded: Error, Sendable {
    public let pool: String
}

/// A fixed set of threads for blocking C calls (libxcrypt, SQLite, libpq), so that
/// they never run on an event loop or on Swift's cooperative pool. Each thread owns
/// one `Resource` (a connection, a scratch buffer) that only it ever touches; the
/// queue is bounded, and a full queue is an immediate `PoolOverloaded`.
public final class WorkerPool<Resource>: @unchecked Sendable {
    // @unchecked: `jobs`, `head` and `busy` are only touched with `condition` locked, and
    // each Resource lives on the stack of the one thread that created it.
    private typealias Job = (inout Resource?, (any Error)?) -> Void

    public let name: String
    public let threadCount: Int
    public let queueLimit: Int
    private let condition = PosixCondition()
    /// Each job with the moment it was queued (DispatchTime's nanoseconds), for the wait metric.
    private var jobs: [(run: Job, queuedAt: UInt64)] = []
    private var head = 0
    private var busy = 0
    private let metrics: PoolMetrics

    /// - Parameters:
    ///   - niceness: added to each thread's nice value (Linux schedules threads separately),
    ///     so that slow work such as hashing yields to latency-sensitive work.
    ///   - makeResource: called on a worker thread the first time it needs its resource,
    ///     and again after a job discarded it.
    public init(name: String, threads: Int, queueLimit: Int, niceness: Int32 = 0,
                makeResource: @escaping @Sendable () throws -> Resource) {
        self.name = name
        self.threadCount = max(1, threads)
        self.queueLimit = max(1, queueLimit)
        self.metrics = PoolMetrics(pool: name, threads: self.threadCount)
        for n in 0..<threadCount {
            PosixThread.start(name: "\(name)-\(n)") { [self] in
                #if canImport(Glibc)
                if niceness != 0 { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness) }
                #endif
                self.work(makeResource)
            }
        }
    }

    /// Jobs waiting for a thread right now.
    public var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return jobs.count - head
    }

    /// Runs `body` on a worker thread with that thread's resource. Throwing
    /// `DiscardResource` from `body` closes the resource (it is made anew next time).
    /// With a `timeout`, the caller gets `PoolTimedOut` once it has passed, whether the
    /// job is still queued (it then never runs) or stuck in a blocking call.
    public func run<T: Sendable>(
        timeout: Duration? = nil, _ body: @escaping @Sendable (inout Resource) throws -> T
    ) async throws -> T {
        let once = Once()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let job: Job = { slot, creationError in
                guard once.claimRunning() else { return }
                let result = Result { try WorkerPool.perform(body, on: &slot, creationError) }
                if once.claimAnswer() {
                    continuation.resume(with: result)
                    once.cancelTimer()
                }
            }
            condition.lock()
            if jobs.count - head >= queueLimit {
                metrics.turnedAway()
                condition.unlock()
                continuation.resume(throwing: PoolOverloaded(pool: name))
                return
            }
            jobs.append((job, DispatchTime.now().uptimeNanoseconds))
            metrics.changed(queued: jobs.count - head, busy: busy)
            condition.signal()
            condition.unlock()
            if let timeout {
                let name = self.name
                // Cancelled as soon as the job answers, so that fast jobs leave no
                // sleeping timers behind.
                once.setTimer(Task {
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled, once.claimAnswer() { continuation.resume(throwing: PoolTimedOut(pool: name)) }
                })
            }
        }
    }

    private static func perform<T>(_ body: (inout Resource) throws -> T, on slot: inout Resource?, _ creationError: (any Error)?) throws -> T {
        guard var resource = slot else { throw creationError ?? ResourceUnavailable() }
        slot = nil
        do {
            let result = try body(&resource)
            slot = resource
            return result
        } catch let discard as DiscardResource {
            throw discard.underlying
        } catch {
            slot = resource
            throw error
        }
    }

    private func work(_ makeResource: @Sendable () throws -> Resource) {
        var slot: Resource?
        while true {
            condition.lock()
            while head == jobs.count { condition.wait() }
            let job = jobs[head]
            head += 1
            if head > 64 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            busy += 1
            metrics.changed(queued: jobs.count - head, busy: busy)
            condition.unlock()
            metrics.waited(nanoseconds: DispatchTime.now().uptimeNanoseconds &- job.queuedAt)
            var creationError: (any Error)?
            if slot == nil {
                do { slot = try makeResource() } catch { creationError = error }
            }
            job.run(&slot, creationError)
            condition.lock()
            busy -= 1
            metrics.changed(queued: jobs.count - head, busy: busy)
            condition.unlock()
        }
    }
}

/// Thrown when a job did not finish within its timeout.
public struct PoolTimedOut: Error, Sendable {
    public let pool: String
}

/// Decides, once, who answers a job's caller: the job or its timeout.
private final class Once: Sendable {
    private let state = Mutex<(running: Bool, answered: Bool)>((false, false))
    private let timer = Mutex<Task<Void, Never>?>(nil)

    func setTimer(_ task: Task<Void, Never>) {
        timer.withLock { $0 = task }
        if state.withLock({ $0.answered }) { task.cancel() }
    }

    func cancelTimer() {
        timer.withLock { $0 }?.cancel()
    }

    /// The job may start unless its caller was already answered (timed out).
    func claimRunning() -> Bool {
        state.withLock { s in
            if s.answered { return false }
            s.running = true
            return true
        }
    }

    /// True for the first caller only.
    func claimAnswer() -> Bool {
        state.withLock { s in
            if s.answered { return false }
            s.answered = true
            return true
        }
    }
}

/// Thrown by a job to say its resource is broken and must be made anew.
public struct DiscardResource: Error {
    public let underlying: Error
    public init(_ underlying: Error) { self.underlying = underlying }
}

/// A worker could not create its resource (for example, the database would not open).
public struct ResourceUnavailable: Error, Sendable {}
