import AuthJSON
import AuthTestSupport
import Foundation
import Testing

extension LiveTests {
    /// What careless or hostile clients send, over a real connection: every answer is JSON
    /// in the contract's shape, never HTML or an empty 500.
    @Suite struct WireProtocol {
        /// The live suites run on the storage of the pass (make test runs them on SQLite,
        /// then on PostgreSQL): /healthz says which one authd answers from.
        @Test func authdBehindTheGatewayUsesThePassStorage() async throws {
            let s = try await LiveStack()
            let health = try s.http.request("GET", "/healthz")
            #expect(health.status == 200)
            #expect(health.json["storage"] == .string(TestBackend.isPostgres ? "postgresql" : "sqlite"), "\(health)")
        }

        @Test func badRequestsGetTheContractShape() async throws {
            let s = try await LiveStack()
            let json = ["Content-Type": "application/json"]
            #expect(isErrorShape(try s.http.request("POST", "/api/auth/register", headers: json, body: "{nope"), 400))
            #expect(isErrorShape(try s.http.request("POST", "/api/auth/register", headers: ["Content-Type": "text/plain"], body: "{}"), 415))
            #expect(isErrorShape(try s.http.request("GET", "/index.html"), 404))
            let put = try s.http.request("PUT", "/api/auth/login", headers: json, body: "{}")
            #expect(isErrorShape(put, 405))
            #expect(put.header("Allow") == "POST")
            #expect(isErrorShape(try s.http.request("GET", "/api/users/"), 401))
        }

        @Test func requestsNIOCannotParseAndBadHostsAre400InTheContractShape() async throws {
            let s = try await LiveStack()
            let refused = [
                ("garbage", "NOT HTTP AT ALL\r\n\r\n", "Malformed HTTP request"),
                ("no Host", "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", "An HTTP/1.1 request needs a Host header"),
                ("two Hosts", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", "More than one Host header"),
            ]
            for (what, text, message) in refused {
                let r = try s.http.exchange(Array(text.utf8))
                #expect(isErrorShape(r, 400), "\(what): \(r)")
                #expect(r.json["error"]?["message"] == .string(message), "\(what)")
                #expect(r.header("Cache-Control") == "no-store", "\(what)")
                #expect(r.header("Date") != nil, "\(what)")
            }
            // HTTP/1.0 needs no Host (RFC 9112 asks it of 1.1 only).
            let old = try s.http.exchange(Array("GET /healthz HTTP/1.0\r\nConnection: close\r\n\r\n".utf8))
            #expect(old.status == 200)
        }

        @Test func oversizedBodiesAre413WhetherDeclaredOrStreamed() async throws {
            let s = try await LiveStack(gatewayArguments: ["--max-body-bytes", "4096"])
            let big = #"{"username": "\#(String(repeating: "x", count: 10000))"}"#
            let declared = try s.http.request("POST", "/api/auth/register", headers: ["Content-Type": "application/json"], body: big)
            #expect(isErrorShape(declared, 413))
            // Chunked: no length to check up front, so the limit applies while reading.
            let chunks = stride(from: 0, to: big.utf8.count, by: 1000).map { start -> String in
                let piece = String(big.utf8.dropFirst(start).prefix(1000))!
                return String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n"
            }.joined() + "0\r\n\r\n"
            let streamed = try s.http.request("POST", "/api/auth/register",
                                              headers: ["Content-Type": "application/json", "Transfer-Encoding": "chunked"], body: chunks)
            #expect(isErrorShape(streamed, 413))
            // Just under the limit is fine.
            let small = try s.http.json("POST", "/api/auth/register", ["username": "alice", "email": "a@example.com", "password": "Passw0rd!"])
            #expect(small.status == 201)
        }

        @Test func aClientStalledMidRequestIsDisconnectedAfterTheIdleTimeout() async throws {
            let s = try await LiveStack(gatewayArguments: ["--idle-timeout", "1"])
            let headers = try s.http.stall(sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n", patience: 10)
            let body = try s.http.stall(sending: "POST /api/auth/login HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{", patience: 10)
            for lifetime in [headers, body] {
                let closedAfter = try #require(lifetime, "the connection was still open after 10 s")
                #expect(closedAfter < .seconds(5))
            }
            #expect(try s.http.request("GET", "/healthz").status == 200)
            #expect(s.gateway.stop() == 0)
        }

        @Test func theAccessLogNamesRequestsButNeverTokensOrPasswords() async throws {
            let s = try await LiveStack()
            let id = try s.register("alice", password: "Sup3r-Secret!")
            let token = try s.login("alice", password: "Sup3r-Secret!")
            _ = try s.http.request("GET", "/api/users/\(id)?token=\(token)", headers: s.bearer(token))
            _ = try s.http.request("POST", "/api/auth/logout", headers: s.bearer(token))
            // The access log's line follows the response.
            #expect(await eventually { s.gateway.log.contains("path=/api/auth/logout") })
            let log = s.gateway.log
            #expect(log.contains("method=POST path=/api/auth/login route=/api/auth/login status=200"))
            #expect(log.contains("path=/api/users/\(id) route=/api/users/{id} status=200"))
            #expect(!log.contains("Sup3r-Secret!"))
            #expect(!log.contains(token))
            #expect(!log.contains(String(token.split(separator: ".")[2])))
        }
    }
}
