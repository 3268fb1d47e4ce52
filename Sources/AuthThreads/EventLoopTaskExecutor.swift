import NIOCore

/// Runs a connection's tasks on the connection's own event loop. A request that needs
/// no blocking work (a token check the cache answers, a bad request) then completes in
/// the loop turn that read it, with no hop to the global executor and back; one that
/// awaits a worker pool, or another channel on the same loop, resumes on the loop.
public final class EventLoopTaskExecutor: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
