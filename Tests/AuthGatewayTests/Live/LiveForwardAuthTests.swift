import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real nginx (Debian's, with `auth_request`) in front of a tiny upstream that echoes the
/// `Remote-*` headers it receives, protected by the gateway's forward authentication
/// (contract §11), configured as the README's nginx snippet says.
final class NginxFront: @unchecked Sendable {
    let directory: String
    let port: Int
    let upstreamPort: Int
    private let nginx: SpawnedProcess
    private let upstream: SpawnedProcess

    static var isInstalled: Bool {
        if FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("nginx is not installed, and CI requires the forward-auth tests to run (scripts/install-deps --test)")
        }
        return false
    }

    /// The upstream: answers every request with the Remote-* headers it got, as JSON.
    static let upstreamCode = """
        import http.server, json, sys
        class Echo(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = json.dumps({"path": self.path, "remote_user": self.headers.get("Remote-User"),
                                   "remote_groups": self.headers.get("Remote-Groups")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                print(self.path, flush=True)
        http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
        """

    init(gatewayPort: Int) async throws {
        let directory = makeTestDirectory(), port = try freePort(), upstreamPort = try freePort()
        self.directory = directory
        self.port = port
        self.upstreamPort = upstreamPort
        upstream = try SpawnedProcess("/usr/bin/python3", ["-c", Self.upstreamCode, String(upstreamPort)], log: "\(directory)/upstream.log")
        let conf = """
            daemon off;
            master_process off;
            pid \(directory)/nginx.pid;
            error_log \(directory)/error.log info;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path \(directory)/client; proxy_temp_path \(directory)/proxy;
                fastcgi_temp_path \(directory)/fastcgi; uwsgi_temp_path \(directory)/uwsgi; scgi_temp_path \(directory)/scgi;
                server {
                    listen 127.0.0.1:\(port);
            \(Self.protected("/", check: "/authd-auth", upstream: upstreamPort))
            \(Self.protected("/admin/", check: "/authd-auth-admins", upstream: upstreamPort))
            \(Self.protected("/secure/", check: "/authd-auth-mfa", upstream: upstreamPort))
            \(Self.check("/authd-auth", "", gatewayPort))
            \(Self.check("/authd-auth-admins", "?group=admins", gatewayPort))
            \(Self.check("/authd-auth-mfa", "?mfa=1", gatewayPort))
                    location @login {
                        return 302 https://sso.example.com/login?rd=$scheme://$http_host$request_uri;
                    }
                }
            }
            """
        try conf.write(toFile: "\(directory)/nginx.conf", atomically: true, encoding: .utf8)
        nginx = try SpawnedProcess("/usr/sbin/nginx", ["-p", directory, "-c", "\(directory)/nginx.conf"], log: "\(directory)/nginx.log")
        let up = [port, upstreamPort]
        guard await eventually(within: .seconds(10), { up.allSatisfy(Self.answers) }) else {
            throw TestSetupError(description: "nginx or the upstream did not start: "
                                 + ((try? String(contentsOfFile: "\(directory)/error.log", encoding: .utf8)) ?? ""))
        }
    }

    /// A location of the protected app: every request checked, the user passed on.
    static func protected(_ path: String, check: String, upstream: Int) -> String {
        """
                location \(path) {
                    auth_request \(check);
                    auth_request_set $authd_user $upstream_http_remote_user;
                    auth_request_set $authd_groups $upstream_http_remote_groups;
                    proxy_set_header Remote-User $authd_user;
                    proxy_set_header Remote-Groups $authd_groups;
                    proxy_pass http://127.0.0.1:\(upstream);
                    error_page 401 = @login;
                }
        """
    }

    /// The internal location that asks the gateway.
    static func check(_ path: String, _ policy: String, _ gatewayPort: Int) -> String {
        """
                location = \(path) {
                    internal;
                    proxy_pass http://127.0.0.1:\(gatewayPort)/api/authz/auth-request\(policy);
                    proxy_pass_request_body off;
                    proxy_set_header Content-Length "";
                    proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
                }
        """
    }

    static func answers(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    var http: HTTPTestClient { HTTPTestClient(port: port) }
    /// The paths the upstream was asked for: a refused request never reaches it.
    var upstreamRequests: [String] {
        ((try? String(contentsOfFile: "\(directory)/upstream.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit {
        nginx.stop()
        upstream.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension LiveTests {
    @Suite(.enabled(if: NginxFront.isInstalled)) struct ForwardAuth {
        static func cookie(_ token: String) -> [String: String] { ["Cookie": "theme=dark; authd_session=\(token)"] }

        /// A portal-style sign-in: a session token, as the portal's cookie holds.
        static func sessionToken(_ s: LiveStack, _ name: String) throws -> (session: String, access: String) {
            let r = try s.http.json("POST", "/api/auth/login", ["username": .string(name), "password": "Passw0rd!", "session_token": true])
            guard let session = r.json["session_token"]?.string, let access = r.json["access_token"]?.string else {
                throw TestSetupError(description: "login \(name): \(r)")
            }
            return (session, access)
        }

        @Test func nginxPassesTheSignedInUserAndRefusesEveryoneElseAtOnce() async throws {
            let s = try await LiveStack(gatewayArguments: ["--trusted-proxy", "127.0.0.1"])
            let front = try await NginxFront(gatewayPort: s.gateway.port)
            let id = try s.register("alice")
            // Not signed in: the documented redirect to the portal, with the original URL; the upstream never sees it.
            let anonymous = try front.http.request("GET", "/page?x=1", headers: ["Remote-User": "root"])
            #expect(anonymous.status == 302)
            #expect(anonymous.header("Location") == "https://sso.example.com/login?rd=http://127.0.0.1:\(front.port)/page?x=1")
            #expect(front.upstreamRequests.isEmpty)
            // Signed in: the upstream sees the user, never the header the client sent.
            let (session, access) = try Self.sessionToken(s, "alice")
            let page = try front.http.request("GET", "/page", headers: Self.cookie(session).merging(["Remote-User": "root"]) { $1 })
            #expect(page.status == 200, "\(page)")
            // (nginx sends no header for an empty value: no groups.)
            #expect(page.json["remote_user"] == "alice" && page.json["remote_groups"] == .null)
            // Both a cookie and a bearer token: refused (401, which nginx turns into the login redirect, not a 500).
            let both = try front.http.request("GET", "/page", headers: Self.cookie(session).merging(["Authorization": "Bearer \(access)"]) { $1 })
            #expect(both.status == 302)
            // A group policy: 403 outside the group, 200 once in it.
            #expect(try front.http.request("GET", "/admin/", headers: Self.cookie(session)).status == 403)
            let admin = try AuthClient(path: s.authd.socketPath)
            _ = try admin.call(.usersSetGroups, ["id": .int(id), "groups": ["admins", "ops"]]).get()
            let inGroup = try front.http.request("GET", "/admin/", headers: Self.cookie(session))
            #expect(inGroup.status == 200 && inGroup.json["remote_groups"] == "admins,ops", "\(inGroup)")
            // The MFA policy: a password-only session is refused.
            #expect(try front.http.request("GET", "/secure/", headers: Self.cookie(session)).status == 403)
            // Logging out ends the cookie's session at once.
            #expect(try s.http.request("POST", "/api/auth/logout", headers: s.bearer(access)).status == 200)
            #expect(try front.http.request("GET", "/page", headers: Self.cookie(session)).status == 302)
            // So does disabling the user, for every session.
            let (other, _) = try Self.sessionToken(s, "alice")
            #expect(try front.http.request("GET", "/page", headers: Self.cookie(other)).status == 200)
            _ = try admin.call(.usersDisable, ["id": .int(id)]).get()
            #expect(try front.http.request("GET", "/page", headers: Self.cookie(other)).status == 302)
            #expect(front.upstreamRequests.count == 3)
        }

        @Test func theMFAPolicyPassesASessionSignedInWithACode() async throws {
            let s = try await LiveStack(gatewayArguments: ["--trusted-proxy", "127.0.0.1"])
            let front = try await NginxFront(gatewayPort: s.gateway.port)
            _ = try s.register("bob")
            let token = try s.login("bob")
            let secret = try #require(try s.http.json("POST", "/api/auth/mfa/totp", ["current_password": "Passw0rd!"],
                                                      headers: s.bearer(token)).json["secret"]?.string)
            try await MFA.awayFromAStepBoundary()
            let confirmed = try s.http.json("POST", "/api/auth/mfa/totp/confirm", ["code": .string(try await MFA.code(secret, offset: 0))],
                                            headers: s.bearer(token))
            #expect(confirmed.status == 200)
            let step = try s.http.json("POST", "/api/auth/login", ["username": "bob", "password": "Passw0rd!", "session_token": true])
            let mfaToken = try #require(step.json["mfa_token"])
            let done = try s.http.json("POST", "/api/auth/mfa", ["mfa_token": mfaToken, "code": .string(try await MFA.code(secret, offset: 1))])
            let session = try #require(done.json["session_token"]?.string, "\(done)")
            let secure = try front.http.request("GET", "/secure/", headers: Self.cookie(session))
            #expect(secure.status == 200 && secure.json["remote_user"] == "bob", "\(secure)")
        }

        @Test func forwardAuthRedirectsBrowsersWithTheURLATrustedProxyForwardedAndSendsEveryRemoteHeader() async throws {
            let s = try await LiveStack(gatewayArguments: ["--trusted-proxy", "127.0.0.1", "--portal-url", "https://sso.example.com"])
            let traefik = ["X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example.com", "X-Forwarded-Uri": "/wiki/Main Page?a=1&b=2"]
            let browser = try s.http.request("GET", "/api/authz/forward-auth", headers: traefik.merging(["Accept": "text/html,*/*;q=0.8"]) { $1 })
            #expect(browser.status == 302)
            #expect(browser.header("Location") == "https://sso.example.com/login?rd=https%3A%2F%2Fapp.example.com%2Fwiki%2FMain%20Page%3Fa%3D1%26b%3D2")
            // Not a browser (*/* alone is not): 401; auth-request never redirects.
            #expect(isErrorShape(try s.http.request("GET", "/api/authz/forward-auth", headers: traefik.merging(["Accept": "*/*"]) { $1 }), 401))
            #expect(isErrorShape(try s.http.request("GET", "/api/authz/auth-request", headers: traefik.merging(["Accept": "text/html"]) { $1 }), 401))
            // Every 200 carries every Remote-* header, empty when unknown (a token without a session has no id).
            _ = try s.register("carol")
            let token = try s.login("carol")
            let ok = try s.http.request("GET", "/api/authz/forward-auth", headers: s.bearer(token).merging(["Remote-User": "root"]) { $1 })
            #expect(ok.status == 200)
            for name in ["Remote-User", "Remote-Email", "Remote-User-Id", "Remote-Groups", "Remote-Session-Id"] {
                #expect(ok.header(name) != nil, "\(name) missing")
            }
            #expect(ok.header("Remote-User") == "carol" && ok.header("Remote-Email") == "carol@example.com" && ok.header("Remote-Groups") == "")
            #expect(ok.headers.filter { $0.name.lowercased() == "remote-user" }.count == 1)
            // A policy the gateway cannot read is refused, never ignored (a typo must not open a page).
            for query in ["?mfa=true", "?grop=admins", "?group=Admins", "?mfa=1&mfa=0"] {
                #expect(isErrorShape(try s.http.request("GET", "/api/authz/auth-request\(query)", headers: s.bearer(token)), 400), "\(query)")
            }

            // An untrusted peer's forwarded URL is ignored: the redirect carries none.
            let untrusted = try await LiveStack(gatewayArguments: ["--portal-url", "https://sso.example.com/"])
            let ignored = try untrusted.http.request("GET", "/api/authz/forward-auth", headers: traefik.merging(["Accept": "text/html"]) { $1 })
            #expect(ignored.status == 302 && ignored.header("Location") == "https://sso.example.com/login")
        }
    }
}
