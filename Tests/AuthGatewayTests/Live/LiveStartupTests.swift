import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension LiveTests {
    /// What the gateway says when it cannot start as asked, or starts before authd.
    @Suite struct Startup {
        @Test func aBusyPortIsNamedAndExits78() async throws {
            let s = try await LiveStack()
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let log = "\(dir)/gateway.log"
            let second = try SpawnedProcess(setpriv, asNobody + ["\(binDirectory)/authd-gateway",
                                            "--socket", s.authd.socketPath, "--listen", "127.0.0.1:\(s.gateway.port)"], log: log)
            #expect(await second.exitStatus() == 78)
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(text.contains("authd-gateway: cannot listen on 127.0.0.1:\(s.gateway.port)"), "\(text)")
            #expect(try s.http.request("GET", "/healthz").status == 200)
        }

        @Test func aMissingAuthdSocketIsAWarningAndTheGatewayServes() async throws {
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let missing = "\(dir)/absent.sock"
            let gateway = try await TestGateway(socket: missing)
            #expect(gateway.log.contains("warning authd-gateway: socket=\(missing) [AuthGateway] nothing answers on authd's socket yet"),
                    "\(gateway.log)")
            let login = try gateway.client.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"])
            #expect(login.status == 503)
        }
    }
}
