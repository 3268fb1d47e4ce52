import NIOCore
import Synchronization

/// One of the pool's connections to authd: opened on first use, shared by every call that
/// picks this slot while it is being opened, and forgotten when it closes so that the next
/// call opens a new one (that is how the gateway recovers when authd restarts).
final class PoolSlot: Sendable {
    /// The event loop the connection lives on: the callers on that loop use this slot.
    let eventLoop: any EventLoop

    private enum State {
        case idle
        case connecting(EventLoopFuture<any Channel>)
        case ready(any Channel)
    }

    private enum Next {
        case use(any Channel)
        case wait(EventLoopFuture<any Channel>)
        case start(EventLoopFuture<any Channel>)
    }

    private let state = Mutex<State>(.idle)

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The open connection, or the one being opened; `connect` starts a new one when there is neither.
    func channel(connect: (any EventLoop) -> EventLoopFuture<any Channel>) async throws -> any Channel {
        let next: Next = state.withLock { state in
            switch state {
            case .ready(let channel) where channel.isActive: return .use(channel)
            case .connecting(let future): return .wait(future)
            case .idle, .ready:
                let future = connect(eventLoop)
                state = .connecting(future)
                return .start(future)
            }
        }
        switch next {
        case .use(let channel):
            return channel
        case .wait(let future):
            return try await future.get()
        case .start(let future):
            future.whenComplete { result in self.settle(future, result) }
            return try await future.get()
        }
    }

    /// Whether the slot holds an open connection.
    var isConnected: Bool {
        state.withLock { state in
            if case .ready(let channel) = state { return channel.isActive }
            return false
        }
    }

    /// Closes the connection, if any (the pool is shutting down).
    func close() {
        let channel: (any Channel)? = state.withLock { state in
            defer { state = .idle }
            if case .ready(let channel) = state { return channel }
            return nil
        }
        channel?.close(promise: nil)
    }

    private func settle(_ future: EventLoopFuture<any Channel>, _ result: Result<any Channel, any Error>) {
        state.withLock { state in
            guard case .connecting(let current) = state, current === future else { return }
            switch result {
            case .success(let channel): state = .ready(channel)
            // A failed attempt leaves nothing behind: the next call tries again.
            case .failure: state = .idle
            }
        }
        if case .success(let channel) = result {
            channel.closeFuture.whenComplete { _ in self.forget(channel) }
        }
    }

    private func forget(_ channel: any Channel) {
        state.withLock { state in
            if case .ready(let current) = state, current === channel { state = .idle }
        }
    }
}
