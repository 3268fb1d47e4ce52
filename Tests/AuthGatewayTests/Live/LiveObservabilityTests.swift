import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension LiveTests {
    /// What an operator sees of the gateway: `/metrics` (its own and authd's) and the
    /// sd_notify messages of a `Type=notify` service.
    @Suite struct Observability {
        /// `/metrics` as prometheus_client's parser reads it: the family names in order and
        /// the value of every sample without labels.
        struct Scrape {
            var families: [String]
            var samples: [String: Double]
        }

        static func parse(_ text: String) async throws -> Scrape {
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try text.write(toFile: "\(dir)/metrics.txt", atomically: true, encoding: .utf8)
            let code = """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                families = list(text_string_to_metric_families(open(sys.argv[1]).read()))
                print(json.dumps({"families": [f.name for f in families],
                                  "samples": {s.name: s.value for f in families for s in f.samples if not s.labels}}))
                """
            // python3 from PATH: the Makefile puts .build-venv/bin, with prometheus-client, first.
            let python = try SpawnedProcess("/usr/bin/env", ["python3", "-c", code, "\(dir)/metrics.txt"], log: "\(dir)/out.txt")
            let status = await python.exitStatus()
            let output = (try? String(contentsOfFile: "\(dir)/out.txt", encoding: .utf8)) ?? ""
            guard status == 0, let line = output.split(separator: "\n").last,
                  let json = try? JSONParser.parse(Array(line.utf8)),
                  let families = json["families"]?.array?.compactMap(\.string), let samples = json["samples"]?.object
            else { throw TestSetupError(description: "prometheus_client could not parse /metrics (exit \(status)): \(output)") }
            return Scrape(families: families, samples: samples.compactMapValues { $0.double })
        }

        @Test func metricsParseAsPrometheusTextAndAFailedLoginCountsOnceInAuthds() async throws {
            let s = try await LiveStack()
            _ = try s.register("alice")
            let first = try s.http.request("GET", "/metrics")
            #expect(first.status == 200)
            #expect(first.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let before = try await Self.parse(first.text)
            let failures = try #require(before.samples["authd_login_failures_total"], "authd's metrics: \(first.text)")

            let wrong = try s.http.json("POST", "/api/auth/login", ["username": "alice", "password": "Wrong#Pass1"])
            #expect(isErrorShape(wrong, 401))

            let second = try s.http.request("GET", "/metrics")
            let after = try await Self.parse(second.text)
            #expect(after.samples["authd_login_failures_total"] == failures + 1)
            #expect(after.samples["authd_gateway_upstream_up"] == 1)
            #expect(after.samples["authd_gateway_upstream_connections_max"] == 4)
            #expect(after.samples["authd_gateway_upstream_calls_in_flight"] == 0)
            // The gateway's come first, then authd's, and no family appears twice.
            #expect(Set(after.families).count == after.families.count, "\(after.families)")
            let firstAuthd = try #require(after.families.firstIndex { !$0.hasPrefix("authd_gateway_") })
            #expect(after.families[firstAuthd...].allSatisfy { !$0.hasPrefix("authd_gateway_") }, "\(after.families)")
            #expect(second.text.contains(#"authd_gateway_http_requests_total{route="/api/auth/login",method="POST",status="401"} 1"#))
            #expect(second.text.contains(#"authd_gateway_http_requests_total{route="/metrics",method="GET",status="200"} 1"#))
            #expect(second.text.contains(#"authd_gateway_http_request_duration_seconds_count{route="/api/auth/register",method="POST"} 1"#))
            #expect(second.text.contains(#"authd_gateway_upstream_calls_total{method="auth.login"} 1"#))
        }

        @Test func withAuthdDownMetricsServeTheGatewaysOwnWithUpstreamDown() async throws {
            let s = try await LiveStack()
            _ = try s.http.request("GET", "/healthz")
            s.authd.stop()
            let r = try s.http.request("GET", "/metrics")
            #expect(r.status == 200)
            let scrape = try await Self.parse(r.text)
            #expect(scrape.samples["authd_gateway_upstream_up"] == 0)
            #expect(scrape.samples["authd_login_failures_total"] == nil)
            #expect(scrape.families.allSatisfy { $0.hasPrefix("authd_gateway_") }, "\(scrape.families)")
            #expect(r.text.contains(#"authd_gateway_upstream_failures_total{method="system.metrics",reason="unreachable"} 1"#))
            #expect(r.text.contains(#"authd_gateway_http_requests_total{route="/healthz",method="GET",status="200"} 1"#))
        }

        @Test func metricsAreOnlyForTheAllowedAddressesAsTheProxiesResolveThem() async throws {
            let elsewhere = try await LiveStack(gatewayArguments: ["--metrics-allow", "10.0.0.0/8"])
            let refused = try elsewhere.http.request("GET", "/metrics")
            #expect(isErrorShape(refused, 403))
            #expect(!refused.text.contains("authd_"))

            // Behind a trusted proxy on loopback, the client the proxy names is the one judged.
            let proxied = try await LiveStack(gatewayArguments: ["--trusted-proxy", "127.0.0.1"])
            #expect(isErrorShape(try proxied.http.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.9"]), 403))
            #expect(try proxied.http.request("GET", "/metrics").status == 200)
            let allowed = try await LiveStack(gatewayArguments: ["--trusted-proxy", "127.0.0.1", "--metrics-allow", "203.0.113.0/24"])
            #expect(try allowed.http.request("GET", "/metrics", headers: ["X-Forwarded-For": "203.0.113.9"]).status == 200)
            #expect(isErrorShape(try allowed.http.request("GET", "/metrics"), 403), "loopback is no longer in the list")
        }

        @Test func notifiesReadyOnceListeningPingsTheWatchdogAndSaysStoppingOnSIGTERM() async throws {
            let authd = try await TestAuthd.forGateway(group: "nogroup")
            let dir = makeTestDirectory()
            let notify = try NotifyListener(path: "\(dir)/notify.sock")
            // The gateway, as nobody, must be able to send to it.
            chmod(notify.path, 0o666)
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
