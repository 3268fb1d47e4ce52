import NIOCore
import Synchronization

/// Every connection from the moment accept() returns it, so that a stop loses none.
///
/// Two things would otherwise reset a connection with its request unread when authd
/// stops under load (about one in two restarts did): NIO's accept handler closes a
/// connection accepted just before the listener closed, once its setup on its own event
/// loop comes back and finds the listener inactive; and the closed listener's stream
/// drops one whose initializer finishes after it closed, which is then never even
/// registered to be read from: NIO registers an accepted connection through the
/// listener's pipeline once its initializer is done. So a stop first stops accepting,
/// closes the listener only once every accepted connection is active
/// (`stopAccepting`), and then drains every connection this registry holds (`drain`).
public final class OpenChannels: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        /// Accepted, not yet active (nor closed).
        var unsettled: Set<ObjectIdentifier> = []
        var settledWaiters: [EventLoopPromise<Void>] = []
        var draining = false

        mutating func takeWaitersIfSettled() -> [EventLoopPromise<Void>] {
            guard unsettled.isEmpty else { return [] }
            defer { settledWaiters = [] }
            return settledWaiters
        }
    }

    private let state = Mutex(State())

    /// How long `stopAccepting` waits for accepted connections to be set up.
    static let settleTimeout = TimeAmount.seconds(1)

    public init() {}

    /// True once `drain` has begun: a connection whose handlers are added after that
    /// missed the quiesce event, and must act on it itself.
    public var isDraining: Bool { state.withLock { $0.draining } }

    /// For `ServerBootstrap.serverChannelInitializer`, which puts its handler ahead of
    /// NIO's accept handler: it records each connection on the listener's loop as
    /// accept() returns it.
    public var listenerInitializer: @Sendable (any Channel) -> EventLoopFuture<Void> {
        { listener in
            listener.eventLoop.makeCompletedFuture {
                try listener.pipeline.syncOperations.addHandler(AcceptedConnectionRecorder(open: self))
            }
        }
    }

    /// `initialize` as a child channel initializer with a handler in front that records
    /// the connection as set up when it becomes active: once NIO has registered it, which
    /// happens through the listener's pipeline after the initializer, and so could not
    /// happen once the listener had closed.
    public func childInitializer<Value: Sendable>(
        _ initialize: @escaping @Sendable (any Channel) -> EventLoopFuture<Value>
    ) -> @Sendable (any Channel) -> EventLoopFuture<Value> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ActivationRecorder(open: self))
            }.flatMap { initialize(channel) }
        }
    }

    fileprivate func activated(_ channel: any Channel) {
        settle(ObjectIdentifier(channel)) { _ in }
    }

    fileprivate func accepted(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        state.withLock { state in
            state.channels[key] = channel
            state.unsettled.insert(key)
        }
        channel.closeFuture.whenComplete { _ in self.settle(key) { $0.channels.removeValue(forKey: key) } }
    }

    private func settle(_ key: ObjectIdentifier, also: (inout State) -> Void) {
        let waiters = state.withLock { state in
            also(&state)
            state.unsettled.remove(key)
            return state.takeWaitersIfSettled()
        }
        for waiter in waiters { waiter.succeed() }
    }

    /// Stops accepting on `listener` (what is queued waits in the kernel for the next
    /// daemon under socket activation, or is refused once the socket closes) and succeeds
    /// once every connection already accepted has been set up, or after `settleTimeout`.
    /// Close the listener after this.
    public func stopAccepting(_ listener: any Channel) -> EventLoopFuture<Void> {
        let loop = listener.eventLoop
        return listener.setOption(ChannelOptions.autoRead, value: false).flatMapErrorWithEventLoop { _, loop in
            loop.makeSucceededVoidFuture()
        }.flatMap {
            let promise = loop.makePromise(of: Void.self)
            let settledAlready = self.state.withLock { state in
                state.settledWaiters.append(promise)
                return state.takeWaitersIfSettled()
            }
            for waiter in settledAlready { waiter.succeed() }
            loop.scheduleTask(in: Self.settleTimeout) { promise.succeed() }
            return promise.futureResult
        }
    }

    /// Once the listener has closed: asks every connection still open to finish
    /// (`ChannelShouldQuiesceEvent`), closes any still open after `timeout`, and returns
    /// once all have closed.
    public func drain(timeout: TimeAmount) async {
        var asked = Set<ObjectIdentifier>()
        while true {
            let open = state.withLock { state in
                state.draining = true
                return state.channels
            }
            if open.isEmpty { return }
            for (key, channel) in open where asked.insert(key).inserted {
                channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
                channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
            }
            for channel in open.values { try? await channel.closeFuture.get() }
        }
    }
}

private final class AcceptedConnectionRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel
    let open: OpenChannels

    init(open: OpenChannels) {
        self.open = open
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        open.accepted(unwrapInboundIn(data))
        context.fireChannelRead(data)
    }
}

private final class ActivationRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny
    let open: OpenChannels

    init(open: OpenChannels) {
        self.open = open
    }

    func channelActive(context: ChannelHandlerContext) {
        open.activated(context.channel)
        context.fireChannelActive()
    }
}
