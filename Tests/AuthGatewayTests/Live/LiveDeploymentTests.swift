import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension LiveTests {
    /// The gateway as deployed: behind a proxy, and started by systemd socket activation.
    @Suite struct Deployment {
        @Test func forwardedForIsBelievedOnlyFromATrustedProxy() async throws {
            let trusting = try await LiveStack(gatewayArguments: ["--trusted-proxy", "127.0.0.0/8"])
            _ = try trusting.register("alice")
            _ = try trusting.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"],
                                       headers: ["X-Forwarded-For": "6.6.6.6, 203.0.113.9"])
            let plain = try await LiveStack()
            _ = try plain.register("alice")
            _ = try plain.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Passw0rd!"],
                                    headers: ["X-Forwarded-For": "203.0.113.9"])
            // The access log's line follows the response.
            #expect(await eventually { plain.gateway.log.contains("path=/api/auth/login") })
            #expect(await eventually { trusting.gateway.log.contains("path=/api/auth/login") })
            #expect(trusting.gateway.log.contains("client=203.0.113.9 "))
            #expect(!trusting.gateway.log.contains("6.6.6.6"))
            #expect(plain.gateway.log.contains("client=127.0.0.1 "))
            #expect(!plain.gateway.log.contains("203.0.113.9"))
        }

        @Test func aSocketPassedBySystemdIsServedAndReadyIsNotified() async throws {
            let activate = "/usr/bin/systemd-socket-activate"
            try #require(FileManager.default.fileExists(atPath: activate), "systemd-socket-activate (Debian's systemd package) is needed")
            let authd = try await TestAuthd.forGateway(group: "nogroup")
            let port = try freePort()
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let log = "\(dir)/gateway.log"
            let notify = try NotifyListener(path: "\(dir)/notify.sock")
            // The gateway, as nobody, must be able to send to it.
            chmod(notify.path, 0o666)
            let process = try SpawnedProcess(activate, ["-l", "127.0.0.1:\(port)", "-E", "NOTIFY_SOCKET", setpriv] + asNobody
                                             + ["\(binDirectory)/authd-gateway", "--socket", authd.socketPath, "--listen", "127.0.0.1:1"],
                                             log: log, environment: ["NOTIFY_SOCKET": notify.path])
            // systemd-socket-activate says when it listens, and starts the gateway on the first connection.
            for _ in 0..<250 where !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("Listening on") {
                try await Task.sleep(for: .milliseconds(20))
            }
            let reply = try HTTPTestClient(port: port).request("GET", "/healthz")
            #expect(reply.status == 200, "\(reply) \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            #expect(reply.json["status"] == "ok")
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(text.contains("activated=systemd"))
            #expect(text.contains("address=127.0.0.1:\(port)"))
            #expect(notify.messages(until: "READY=1").contains { $0.contains("READY=1\nSTATUS=Serving HTTP on 127.0.0.1:\(port)") })
            #expect(process.stop() == 0, "SIGTERM is a clean exit")
        }

        @Test func asRootTheGatewayRefusesToStartWithExit78() async throws {
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let log = "\(dir)/gateway.log"
            let process = try SpawnedProcess("\(binDirectory)/authd-gateway", ["--socket", "\(dir)/authd.sock", "--listen", "127.0.0.1:0"], log: log)
            #expect(await process.exitStatus() == 78)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(text.hasPrefix("authd-gateway: refusing to run as root"), "\(text)")
        }
    }
}
