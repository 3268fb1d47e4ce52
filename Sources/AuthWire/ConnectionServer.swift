import AuthThreads
import NIOCore
import ServiceLifecycle

/// The accept loop of authd and the gateway, after NIO's `NIOTCPEchoServer`: each accepted
/// connection is a child task of one discarding task group, running on its channel's event
/// loop and answering for its own errors, so that one bad client never ends the server.
///
/// A graceful shutdown closes the listening socket (once `open` has stopped accepting and
/// seen every accepted connection set up, so that none is reset) and asks every connection to finish
/// (`ChannelShouldQuiesceEvent`: answer what is in flight, then close); the loop returns
/// when the last connection's task has, so draining is awaiting those tasks. A connection
/// still open `drainTimeout` after the request is closed. Connections in `open` that the
/// loop never saw are drained last.
public enum ConnectionServer {
    public static func serve<Connection: Sendable>(
        _ listener: NIOAsyncChannel<Connection, Never>,
        open: OpenChannels,
        drainTimeout: TimeAmount?,
        channel: @escaping @Sendable (Connection) -> any Channel,
        handle: @escaping @Sendable (Connection) async -> Void
    ) async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { inbound in
                    for try await connection in inbound {
                        let channel = channel(connection)
                        group.addTask(executorPreference: EventLoopTaskExecutor(channel.eventLoop)) {
                            await withGracefulShutdownHandler {
                                await handle(connection)
                            } onGracefulShutdown: {
                                quiesce(channel, drainTimeout: drainTimeout)
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            open.stopAccepting(listener.channel).whenComplete { _ in listener.channel.close(promise: nil) }
        }
        // Those accepted as the listener closed, which the accept loop never saw: once it
        // has closed, no connection is accepted that `open` does not hold.
        try? await listener.channel.closeFuture.get()
        await open.drain(timeout: drainTimeout ?? Self.lateDrainTimeout)
    }

    /// How long a stop waits for a connection the accept loop never saw, when no
    /// `drainTimeout` is given.
    static let lateDrainTimeout = TimeAmount.seconds(10)

    private static func quiesce(_ channel: any Channel, drainTimeout: TimeAmount?) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        if let drainTimeout {
            channel.eventLoop.scheduleTask(in: drainTimeout) { channel.close(promise: nil) }
        }
    }
}
