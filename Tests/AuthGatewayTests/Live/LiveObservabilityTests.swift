import AuthTestSupport
import Foundation
import Testing

extension LiveTests {
    /// What an operator sees of the gateway: the sd_notify messages of a `Type=notify` service.
    @Suite struct Observability {
        @Test func notifiesReadyOnceListeningPingsTheWatchdogAndSaysStoppingOnSIGTERM() async throws {
            let authd = try await TestAuthd()
            let dir = makeTestDirectory()
            let notify = try NotifyListener(path: "\(dir)/notify.sock")
            let gateway = try await TestGateway(socket: authd.socketPath,
                                                environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000"], directory: dir)
            let ready = notify.messages(until: "READY=1")
            #expect(ready.contains { $0.contains("READY=1") && $0.contains("STATUS=Serving HTTP on 127.0.0.1:\(gateway.port)") }, "\(ready)")
            #expect(notify.messages(until: "WATCHDOG=1").contains { $0.contains("WATCHDOG=1") })
            #expect(gateway.stop() == 0)
            #expect(notify.messages(until: "STOPPING=1").contains { $0.contains("STOPPING=1") })
        }
    }
}
