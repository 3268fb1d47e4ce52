import AuthCore
import AuthJSON
import Testing
@testable import AuthInterface

@Suite struct RPCParsingTests {
    private func request(_ text: String) throws -> Result<RPCRequest, RPCFailure> {
        RPCRequest.parse(try JSONParser.parse(text))
    }

    private func failure(_ text: String) throws -> RPCFailure? {
        if case .failure(let f) = try request(text) { return f }
        return nil
    }

    private func success(_ text: String) throws -> RPCRequest? {
        if case .success(let r) = try request(text) { return r }
        return nil
    }

    @Test func validRequestIsParsed() throws {
        let r = try #require(try success(#"{"jsonrpc":"2.0","id":1,"method":"users.get","params":{"id":5,"token":"t"}}"#))
        #expect(r.id == .number("1"))
        #expect(r.method == "users.get")
        #expect(r.params == ["id": .number("5"), "token": .string("t")])
    }

    @Test func absentParamsMeanAnEmptyObject() throws {
        let r = try #require(try success(#"{"jsonrpc":"2.0","id":"x","method":"system.health"}"#))
        #expect(r.params == [:])
    }

    @Test func notificationHasNoID() throws {
        let r = try #require(try success(#"{"jsonrpc":"2.0","method":"system.health"}"#))
        #expect(r.id == nil)
    }

    @Test func idMayBeAStringANumberOrNull() throws {
        #expect(try success(#"{"jsonrpc":"2.0","id":"abc","method":"m"}"#)?.id == .string("abc"))
        #expect(try success(#"{"jsonrpc":"2.0","id":12345678901234567890,"method":"m"}"#)?.id == .number("12345678901234567890"))
        #expect(try success(#"{"jsonrpc":"2.0","id":1.50,"method":"m"}"#)?.id == .number("1.50"))
        #expect(try success(#"{"jsonrpc":"2.0","id":null,"method":"m"}"#)?.id == .null)
    }

    @Test func idOfAnotherTypeIsAnInvalidRequestWithNullID() throws {
        for id in [#"{"a":1}"#, "[1]", "true"] {
            let f = try #require(try failure(#"{"jsonrpc":"2.0","id":\#(id),"method":"m"}"#))
            #expect(f.id == .null)
            #expect(f.error.code == -32600)
            #expect(f.error.status == 400)
        }
    }

    @Test func missingOrWrongVersionIsInvalidRequestWithTheID() throws {
        let missing = try #require(try failure(#"{"id":7,"method":"m"}"#))
        #expect(missing.id == .number("7"))
        #expect(missing.error.code == -32600)
        let wrong = try #require(try failure(#"{"jsonrpc":"1.0","id":"q","method":"m"}"#))
        #expect(wrong.id == .string("q"))
        #expect(wrong.error.code == -32600)
        let number = try #require(try failure(#"{"jsonrpc":2.0,"id":3,"method":"m"}"#))
        #expect(number.error.code == -32600)
        #expect(number.id == .number("3"))
    }

    @Test func methodMustBeAString() throws {
        let f = try #require(try failure(#"{"jsonrpc":"2.0","id":2,"method":5}"#))
        #expect(f.error.code == -32600)
        #expect(f.id == .number("2"))
        let absent = try #require(try failure(#"{"jsonrpc":"2.0","id":2}"#))
        #expect(absent.error.code == -32600)
    }

    @Test func nonObjectRequestIsInvalid() throws {
        for text in ["1", #""x""#, "null", "[]"] {
            let f = try #require(try failure(text))
            #expect(f.error.code == -32600)
            #expect(f.id == .null)
        }
    }

    @Test func paramsArrayIsInvalidParams() throws {
        let f = try #require(try failure(#"{"jsonrpc":"2.0","id":4,"method":"m","params":[1,2]}"#))
        #expect(f.error.code == -32602)
        #expect(f.error.status == 400)
        #expect(f.id == .number("4"))
        #expect(f.notification == false)
    }

    @Test func paramsArrayInANotificationIsMarkedAsNotification() throws {
        let f = try #require(try failure(#"{"jsonrpc":"2.0","method":"m","params":[]}"#))
        #expect(f.error.code == -32602)
        #expect(f.notification == true)
    }

    @Test func paramsOfAnotherTypeIsInvalidRequest() throws {
        for params in [#""s""#, "1", "true", "null"] {
            let f = try #require(try failure(#"{"jsonrpc":"2.0","id":5,"method":"m","params":\#(params)}"#))
            #expect(f.error.code == -32600)
            #expect(f.id == .number("5"))
        }
    }

    @Test func everyCodeHasTheContractsStatus() {
        let table: [RPCErrorCode: (Int, Int)] = [
            .parseError: (-32700, 400), .invalidRequest: (-32600, 400), .methodNotFound: (-32601, 404),
            .invalidParams: (-32602, 400), .internalError: (-32603, 500), .unauthenticated: (-32001, 401),
            .forbidden: (-32003, 403), .notFound: (-32004, 404), .conflict: (-32009, 409),
            .tooManyAttempts: (-32029, 429), .unavailable: (-32050, 503),
        ]
        #expect(table.count == RPCErrorCode.allCases.count)
        for code in RPCErrorCode.allCases {
            let expected = table[code]
            #expect(code.rawValue == expected?.0)
            #expect(code.status == expected?.1)
            #expect(RPCError(code).data == ["status": .int(code.status)])
        }
    }

    @Test func tooLargeIs32600WithStatus413() {
        let e = RPCError.tooLarge(limit: 1024)
        #expect(e.code == -32600)
        #expect(e.status == 413)
        #expect(e.message == "Request larger than 1024 bytes")
    }

    @Test func authErrorsMapToTheirCodesAndData() {
        #expect(RPCError(AuthError.unauthenticated) == RPCError(code: -32001, message: "Invalid or missing token", data: ["status": 401]))
        #expect(RPCError(AuthError.forbidden) == RPCError(code: -32003, message: "Not allowed to act on this user", data: ["status": 403]))
        #expect(RPCError(AuthError.notFound) == RPCError(code: -32004, message: "User not found", data: ["status": 404]))
        #expect(RPCError(AuthError.invalid(["username": ["a", "b"], "email": ["c"]])) == RPCError(
            code: -32602, message: "Validation failed",
            data: ["status": 400, "fields": ["username": ["a", "b"], "email": ["c"]]]))
        #expect(RPCError(AuthError.conflict("email")) == RPCError(
            code: -32009, message: "Email already registered", data: ["status": 409, "field": "email"]))
        #expect(RPCError(AuthError.conflict("username")).data == ["status": 409, "field": "username"])
        #expect(RPCError(AuthError(.tooManyAttempts, "Slow down", retryAfter: 30)) == RPCError(
            code: -32029, message: "Slow down", data: ["status": 429, "retry_after": 30]))
        #expect(RPCError(AuthError.unavailable("Busy", retryAfter: 2)) == RPCError(
            code: -32050, message: "Busy", data: ["status": 503, "retry_after": 2]))
    }

    @Test func conflictWithoutAFieldNamesUsername() {
        #expect(RPCError(AuthError(.conflict, "Taken")).data["field"] == "username")
    }

    @Test func internalErrorCarriesNoDetails() {
        let e = RPCError(AuthError(.internal, "SQL error near SELECT at /var/lib/authd/authd.db", fields: ["x": ["y"]], field: "f"))
        #expect(e == RPCError(code: -32603, message: "Internal error", data: ["status": 500]))
    }

    @Test func errorObjectRoundTripsThroughJSON() throws {
        let e = RPCError(AuthError.invalid(["password": ["Must contain a digit."]]))
        let wire = try JSONParser.parse(RPCResponse.failure(id: 9, error: e).serialized())
        #expect(wire["id"] == .number("9"))
        #expect(wire["jsonrpc"] == "2.0")
        #expect(wire["result"] == nil)
        guard case .failure(let back) = RPCResponse.outcome(of: wire) else {
            Issue.record("expected an error")
            return
        }
        #expect(back == e)
    }
}
