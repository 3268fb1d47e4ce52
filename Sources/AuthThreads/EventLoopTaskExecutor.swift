import NIOCore

/// Runs a connection's request tasks on the connection's own event loop. A request
/// that needs no blocking work (a token check the cache answers, a bad request) then
/// completes in the loop turn that read it, with no hop to the global executor and
/// back; one that awaits a worker pool resumes on the loop when the pool is done.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
