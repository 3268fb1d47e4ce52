import AuthCore
import AuthInterface
import AuthJSON
import Testing
@testable import AuthDaemon

/// The JSON-RPC layer of the dispatcher: parse errors, batches, notifications, unknown methods.
@Suite struct DispatcherTests {
    private func code(_ response: JSON?) -> Int64? { response?["error"]?["code"]?.int64 }
    private func status(_ response: JSON?) -> Int64? { response?["error"]?["data"]?["status"]?.int64 }

    @Test func parseErrorIsAnsweredWithNullID() async throws {
        let h = try await DispatcherHarness()
        for line in [#"{"jsonrpc":"2.0","id":1,"#, "nope", #"{"a":1,"a":2}"#] {
            let r = try #require(await h.handle(line))
            #expect(r["id"] == .null)
            #expect(r["jsonrpc"] == "2.0")
            #expect(code(r) == -32700)
            #expect(status(r) == 400)
        }
        let bytes: [UInt8] = [0x22, 0xFF, 0x22]
        #expect(code(await h.handle(bytes)) == -32700)
    }

    @Test func emptyBatchIsOneInvalidRequest() async throws {
        let h = try await DispatcherHarness()
        let r = try #require(await h.handle("[]"))
        #expect(r.array == nil)
        #expect(r["id"] == .null)
        #expect(code(r) == -32600)
    }

    @Test func batchAnswersEachRequestInOrderAndSkipsNotifications() async throws {
        let h = try await DispatcherHarness()
        let line = """
            [{"jsonrpc":"2.0","method":"system.health"},
             {"jsonrpc":"2.0","id":"first","method":"system.health"},
             {"jsonrpc":"2.0","id":2,"method":"no.such"}]
            """
        let answers = try #require(await h.handle(line)?.array)
        #expect(answers.count == 2)
        #expect(answers.first?["id"] == "first")
        #expect(answers.first?["result"]?["status"] == "ok")
        #expect(answers.last?["id"] == 2)
        #expect(code(answers.last) == -32601)
    }

    /// 100 members are a batch; 101 are one -32600 that says the limit.
    @Test func batchOfMoreThanAHundredMembersIsRefusedWhole() async throws {
        let h = try await DispatcherHarness()
        func batch(_ count: Int) -> String {
            "[" + (0..<count).map { #"{"jsonrpc":"2.0","id":\#($0),"method":"system.health"}"# }.joined(separator: ",") + "]"
        }
        #expect(try #require(await h.handle(batch(100))?.array).count == 100)
        let refused = try #require(await h.handle(batch(101)))
        #expect(refused.array == nil)
        #expect(refused["id"] == .null)
        #expect(code(refused) == -32600)
        #expect(refused["error"]?["message"] == "Batch of 101 requests; at most 100 are allowed")
        #expect(RPCDispatcher.weight(of: try JSONParser.parse(batch(100))) == 100)
        #expect(RPCDispatcher.weight(of: try JSONParser.parse(batch(101))) == 1)
    }

    @Test func batchOfOnlyNotificationsGetsNoAnswer() async throws {
        let h = try await DispatcherHarness()
        let line = #"[{"jsonrpc":"2.0","method":"system.health"},{"jsonrpc":"2.0","method":"no.such"}]"#
        #expect(await h.handle(line) == nil)
    }

    @Test func notificationGetsNoAnswerEvenWhenItFails() async throws {
        let h = try await DispatcherHarness()
        #expect(await h.handle(#"{"jsonrpc":"2.0","method":"system.health"}"#) == nil)
        #expect(await h.handle(#"{"jsonrpc":"2.0","method":"users.get","params":{"id":1}}"#) == nil)
        // A notification whose params are an array is still a notification: no answer, not even `null`.
        #expect(await h.handle(#"{"jsonrpc":"2.0","method":"users.get","params":[1]}"#) == nil)
        let batch = #"[{"jsonrpc":"2.0","method":"system.health","params":[]},{"jsonrpc":"2.0","id":1,"method":"system.health"}]"#
        #expect(try #require(await h.handle(batch)?.array).count == 1)
    }

    @Test func invalidMembersOfABatchAreAnsweredInPlace() async throws {
        let h = try await DispatcherHarness()
        let answers = try #require(await h.handle(#"[1, {"jsonrpc":"2.0","id":9,"method":"system.health"}, {"id":3}]"#)?.array)
        #expect(answers.count == 3)
        #expect(answers[0]["id"] == .null)
        #expect(code(answers[0]) == -32600)
        #expect(answers[1]["id"] == 9)
        #expect(answers[1]["result"] != nil)
        #expect(answers[2]["id"] == 3)
        #expect(code(answers[2]) == -32600)
    }

    @Test func unknownMethodIsMethodNotFoundWithTheID() async throws {
        let h = try await DispatcherHarness()
        let r = try #require(await h.handle(#"{"jsonrpc":"2.0","id":"abc","method":"users.frobnicate"}"#))
        #expect(r["id"] == "abc")
        #expect(code(r) == -32601)
        #expect(status(r) == 404)
    }

    @Test func idIsEchoedExactly() async throws {
        let h = try await DispatcherHarness()
        let r = try #require(await h.handle(#"{"jsonrpc":"2.0","id":12345678901234567890,"method":"system.health"}"#))
        #expect(r.text.contains(#""id":12345678901234567890"#))
        let f = try #require(await h.handle(#"{"jsonrpc":"2.0","id":1.50,"method":"nope"}"#))
        #expect(f.text.contains(#""id":1.50"#))
        let n = try #require(await h.handle(#"{"jsonrpc":"2.0","id":null,"method":"system.health"}"#))
        #expect(n["id"] == .null)
        #expect(n["result"] != nil)
    }

    @Test func paramsArrayIsInvalidParams() async throws {
        let h = try await DispatcherHarness()
        let r = try #require(await h.handle(#"{"jsonrpc":"2.0","id":5,"method":"system.health","params":[]}"#))
        #expect(r["id"] == 5)
        #expect(code(r) == -32602)
    }

    @Test func wrongVersionIsInvalidRequestWithTheID() async throws {
        let h = try await DispatcherHarness()
        let r = try #require(await h.handle(#"{"jsonrpc":"1.0","id":8,"method":"system.health"}"#))
        #expect(r["id"] == 8)
        #expect(code(r) == -32600)
    }

    @Test func healthReportsStorageAndVersion() async throws {
        let h = try await DispatcherHarness()
        let r = try await h.result("system.health")
        #expect(r["status"] == "ok")
        #expect(r["storage"] == "sqlite")
        #expect(r["version"] == .string(authdVersion))
        #expect(r["uptime_s"]?.int64 != nil)
    }

    @Test func metricsAreForPrivilegedPeersOnly() async throws {
        let h = try await DispatcherHarness()
        let e = try await h.error("system.metrics")
        #expect(e.code == -32003)
        #expect(e.status == 403)
        let r = try await h.result("system.metrics", caller: DispatcherHarness.root)
        #expect(r["content_type"] == "text/plain; version=0.0.4")
        #expect(r["text"]?.string?.contains(#"authd_requests_total{method="system.metrics",outcome="-32003"} 1"#) == true)
    }

    /// `Params` traps on a name its method does not declare, and the dispatcher reads a
    /// method's params before the domain runs: calling every method once is the check.
    @Test func everyMethodReadsOnlyTheParamsItDeclares() async throws {
        let h = try await DispatcherHarness()
        for method in RPCMethod.allCases {
            _ = await h.dispatcher.call(RPCRequest(id: 1, method: method.rawValue), caller: DispatcherHarness.root)
        }
        #expect(RPCMethod.allCases.filter(\.spec.actsForToken).map(\.rawValue)
            == ["sessions.list", "sessions.revoke", "users.get", "users.list", "users.update", "users.delete", "users.import", "users.export",
                "users.lockout", "users.unlock", "users.disable", "users.enable", "users.status", "users.set_groups", "users.reset_token",
                "mfa.totp.remove"])
    }

    @Test func discoverListsEveryMethod() async throws {
        let h = try await DispatcherHarness()
        let r = try await h.result("rpc.discover")
        let names = try #require(r["methods"]?.array).compactMap { $0["name"]?.string }
        #expect(names == RPCMethodNames.all)
        #expect(r["openrpc"] == "1.2.6")
    }
}

private enum RPCMethodNames {
    static let all = [
        "auth.register", "auth.login", "auth.logout", "auth.verify", "auth.refresh", "sessions.list", "sessions.revoke", "users.get", "users.list", "users.update",
        "users.delete", "users.import", "users.export", "users.lockout", "users.unlock", "users.disable", "users.enable", "users.status",
        "users.set_groups", "users.reset_token", "auth.reset_password", "auth.mfa", "mfa.totp.enroll", "mfa.totp.confirm", "mfa.totp.remove",
        "mfa.recovery.regenerate", "system.health", "system.metrics", "rpc.discover",
    ]
}
