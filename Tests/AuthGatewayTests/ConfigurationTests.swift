import AuthGateway
import Testing

/// Options, then environment, then defaults; and clear errors for settings that cannot work.
@Suite struct ConfigurationTests {
    @Test func defaultsFollowAuthdsSocketAndListenOnLoopback() throws {
        let root = try GatewayConfiguration.resolve(.init(), environment: [:], uid: 0)
        #expect(root.socketPath == "/run/authd/authd.sock")
        #expect(root.listenHost == "127.0.0.1")
        #expect(root.listenPort == 8080)
        #expect(root.corsOrigins.isEmpty)
        #expect(root.trustedProxies.isEmpty)
        #expect(root.metricsAllowed.map(\.description) == ["127.0.0.0/8", "::1/128"])
        #expect(try GatewayConfiguration.resolve(.init(), environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], uid: 1000).socketPath
            == "/run/user/1000/authd/authd.sock")
        #expect(try GatewayConfiguration.resolve(.init(), environment: [:], uid: 1000).socketPath == "/tmp/authd-1000/authd.sock")
    }

    @Test func theEnvironmentFillsWhatOptionsLeaveOut() throws {
        let env = ["AUTHD_SOCKET": "/s.sock", "AUTHD_GATEWAY_LISTEN": "[::1]:9000",
                   "AUTHD_GATEWAY_CORS_ORIGINS": "https://a.example, https://b.example",
                   "AUTHD_GATEWAY_TRUSTED_PROXIES": "10.0.0.0/8,127.0.0.1", "AUTHD_GATEWAY_MAX_BODY_BYTES": "1024",
                   "AUTHD_GATEWAY_IDLE_TIMEOUT": "5", "AUTHD_GATEWAY_CONNECTIONS": "2", "AUTHD_GATEWAY_LOG_LEVEL": "DEBUG"]
        let c = try GatewayConfiguration.resolve(.init(), environment: env, uid: 0)
        #expect(c.socketPath == "/s.sock")
        #expect(c.listenHost == "::1")
        #expect(c.listenPort == 9000)
        #expect(c.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(c.trustedProxies.map(\.description) == ["10.0.0.0/8", "127.0.0.1/32"])
        #expect(c.maxBodyBytes == 1024)
        #expect(c.idleTimeoutSeconds == 5)
        #expect(c.authdConnections == 2)
        #expect(c.logLevel == .debug)
        #expect(c.metricsAllowed.map(\.description) == ["127.0.0.0/8", "::1/128"], "not given: loopback")

        var options = GatewayConfiguration.Options()
        options.socket = "/o.sock"
        options.listen = "0.0.0.0:80"
        options.corsOrigins = ["https://c.example"]
        options.metricsAllowed = ["192.0.2.7"]
        let o = try GatewayConfiguration.resolve(options, environment: env.merging(["AUTHD_GATEWAY_METRICS_ALLOW": "10.1.0.0/16"]) { $1 }, uid: 0)
        #expect(o.metricsAllowed.map(\.description) == ["192.0.2.7/32"], "the option replaces the environment and the default")
        #expect(try GatewayConfiguration.resolve(.init(), environment: ["AUTHD_GATEWAY_METRICS_ALLOW": "10.1.0.0/16, ::1"], uid: 0)
            .metricsAllowed.map(\.description) == ["10.1.0.0/16", "::1/128"])
        #expect(o.socketPath == "/o.sock")
        #expect(o.listenHost == "0.0.0.0")
        #expect(o.corsOrigins == ["https://c.example"])
    }

    @Test func unusableSettingsAreRefused() {
        for listen in ["8080", "localhost", "host:99999", ":8080", "[::1]8080"] {
            var options = GatewayConfiguration.Options()
            options.listen = listen
            #expect(throws: GatewayConfiguration.Invalid.self, "\(listen)") { try GatewayConfiguration.resolve(options, environment: [:], uid: 0) }
        }
        var proxy = GatewayConfiguration.Options()
        proxy.trustedProxies = ["10.0.0.0/99"]
        #expect(throws: GatewayConfiguration.Invalid.self) { try GatewayConfiguration.resolve(proxy, environment: [:], uid: 0) }
        var metrics = GatewayConfiguration.Options()
        metrics.metricsAllowed = ["everyone"]
        #expect(throws: GatewayConfiguration.Invalid.self) { try GatewayConfiguration.resolve(metrics, environment: [:], uid: 0) }
        #expect(throws: GatewayConfiguration.Invalid.self) {
            try GatewayConfiguration.resolve(.init(), environment: ["AUTHD_GATEWAY_MAX_BODY_BYTES": "lots"], uid: 0)
        }
    }
}
