import AuthTestSupport
import AuthThreads
import Dispatch
import Synchronization
import Testing

/// The pool that every blocking C call runs on: its queue bound, its timeouts, and its
/// resources, with real threads.
@Suite struct WorkerPoolTests {
    struct Broken: Error, Equatable {}

    /// Occupies the pool's only thread until `release`; returns once the job is running.
    private static func occupy(_ pool: WorkerPool<Int>, until gate: DispatchSemaphore) async -> Task<Int, any Error> {
        let (started, signal) = AsyncStream<Void>.makeStream()
        let job = Task { try await pool.run { _ in signal.yield(); gate.wait(); return 1 } }
        for await _ in started { break }
        return job
    }


    @Test func aFullQueueTurnsTheNextCallAwayAtOnceWithPoolOverloaded() async throws {
        let pool = WorkerPool<Int>(name: "test-queue", threads: 1, queueLimit: 1) { 0 }
        let gate = DispatchSemaphore(value: 0)
        let running = await Self.occupy(pool, until: gate)
        let queued = Task { try await pool.run { _ in 2 } }
        #expect(try await eventually(within: .seconds(5), every: .milliseconds(1)) { pool.queueDepth == 1 })

        let refused = await #expect(throws: PoolOverloaded.self) { try await pool.run { _ in 3 } }
        #expect(refused?.pool == "test-queue")

        gate.signal()
        #expect(try await running.value == 1)
        #expect(try await queued.value == 2)
        #expect(pool.queueDepth == 0)
        // With room again, calls run.
        #expect(try await pool.run { _ in 4 } == 4)
    }

    @Test func aCallStuckInItsJobTimesOut() async throws {
        let pool = WorkerPool<Int>(name: "test-stuck", threads: 1, queueLimit: 4) { 0 }
        let gate = DispatchSemaphore(value: 0)
        let (started, signal) = AsyncStream<Void>.makeStream()
        let stuck = Task {
            try await pool.run(timeout: .milliseconds(50)) { _ in signal.yield(); gate.wait(); return 1 }
        }
        for await _ in started { break }
        await #expect(throws: PoolTimedOut.self) { try await stuck.value }
        // The thread is still in the job; once it leaves, the pool serves again.
        gate.signal()
        #expect(try await pool.run { _ in 5 } == 5)
    }

    @Test func aCallThatTimesOutInTheQueueNeverRuns() async throws {
        let pool = WorkerPool<Int>(name: "test-queued", threads: 1, queueLimit: 4) { 0 }
        let gate = DispatchSemaphore(value: 0)
        let running = await Self.occupy(pool, until: gate)
        let ran = Atomic<Bool>(false)
        await #expect(throws: PoolTimedOut.self) {
            try await pool.run(timeout: .milliseconds(50)) { _ in ran.store(true, ordering: .relaxed) }
        }
        gate.signal()
        #expect(try await running.value == 1)
        // Jobs run in order: once a later one has run, the timed-out one had its turn.
        #expect(try await pool.run { _ in 6 } == 6)
        #expect(ran.load(ordering: .relaxed) == false)
    }

    @Test func aDiscardedResourceIsMadeAnewAndItsErrorReachesTheCaller() async throws {
        let made = Atomic<Int>(0)
        let pool = WorkerPool<Int>(name: "test-discard", threads: 1, queueLimit: 4) {
            made.add(1, ordering: .relaxed).newValue
        }
        #expect(try await pool.run { $0 } == 1)
        #expect(try await pool.run { $0 } == 1)
        await #expect(throws: Broken.self) { try await pool.run { _ in throw DiscardResource(Broken()) } }
        #expect(try await pool.run { $0 } == 2)
        // Any other error keeps the resource.
        await #expect(throws: Broken.self) { try await pool.run { _ in throw Broken() } }
        #expect(try await pool.run { $0 } == 2)
    }

    @Test func aResourceThatCannotBeMadeFailsTheCallAndIsTriedAgain() async throws {
        let attempts = Atomic<Int>(0)
        let pool = WorkerPool<Int>(name: "test-make", threads: 1, queueLimit: 4) {
            if attempts.add(1, ordering: .relaxed).newValue == 1 { throw Broken() }
            return 7
        }
        await #expect(throws: Broken.self) { try await pool.run { $0 } }
        #expect(try await pool.run { $0 } == 7)
    }

    @Test func jobsRunOnAsManyThreadsAsThePoolHas() async throws {
        let pool = WorkerPool<Int>(name: "test-threads", threads: 2, queueLimit: 4) { 0 }
        #expect(pool.threadCount == 2)
        // Two jobs that each wait for the other can only both see it on two threads at once.
        let first = DispatchSemaphore(value: 0)
        let second = DispatchSemaphore(value: 0)
        async let a = pool.run { _ in first.signal(); return second.wait(timeout: .now() + 5) == .success }
        async let b = pool.run { _ in second.signal(); return first.wait(timeout: .now() + 5) == .success }
        #expect(try await [a, b] == [true, true])
    }
}
