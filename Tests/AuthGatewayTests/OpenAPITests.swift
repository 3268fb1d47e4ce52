import AuthCore
@testable import AuthGateway
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// `/openapi.json` describes exactly what the router serves, and is a valid OpenAPI 3.1 document.
@Suite struct OpenAPITests {
    /// "METHOD /path/{param}" for every operation in the document.
    static func documented() -> Set<String> {
        var operations = Set<String>()
        for (path, item) in OpenAPIDocument.json["paths"]?.object ?? [:] {
            for method in item.object?.keys ?? [:].keys { operations.insert("\(method.uppercased()) \(path)") }
        }
        return operations
    }

    @Test func theDocumentListsExactlyTheRoutesTheRouterServes() {
        let router = Gateway(configuration: GatewayConfiguration(socketPath: "/nonexistent"), logger: quietLogger).makeRouter()
        let served = Set(router.routes.map { route in
            // The router keeps paths without their trailing slash and with `:name` captures.
            let path = "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            return "\(route.method.rawValue) /\(path.joined(separator: "/"))"
        })
        let documented = Set(Self.documented().map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 })
        #expect(served == documented)
        #expect(served.count == 21)
        #expect(served.contains("POST /api/auth/mfa") && served.contains("DELETE /api/auth/mfa/totp"))
        #expect(served.contains("POST /api/auth/password-reset"))
        #expect(served.contains("DELETE /api/auth/sessions/{session_id}"))
        #expect(served.contains("GET /metrics"))
        #expect(served.contains("PATCH /api/users/{id}"))
        #expect(OpenAPIDocument.json["paths"]?["/api/users/"] != nil)
    }

    @Test func theDocumentIsServedAtOpenAPIJSON() async throws {
        try await withRouter(socket: "/nonexistent/authd.sock") { c async throws in
            let r = try await c.send(.get, "/openapi.json")
            #expect(r.status == 200)
            #expect(r.json == OpenAPIDocument.json)
            #expect(r.json["openapi"] == "3.1.0")
        }
    }

    @Test func everyOperationDocumentsItsErrors() {
        let operations = OpenAPIDocument.json["paths"]?.object ?? [:]
        let patch = operations["/api/users/{id}"]?["patch"]?["responses"]?.object?.keys.sorted()
        // 429: a wrong current_password counts as a failed login (contract §8).
        #expect(patch == ["200", "400", "401", "403", "404", "409", "413", "415", "429", "503"])
        let body = operations["/api/users/{id}"]?["patch"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["properties"]
        #expect(body?["current_password"]?["type"] == "string")
        #expect(body?["current_password"]?["pattern"] == nil)
        let delete = operations["/api/users/{id}"]?["delete"]?["requestBody"]
        #expect(delete?["required"] == false)
        #expect(delete?["content"]?["application/json"]?["schema"]?["properties"]?["current_password"] != nil)
        let reset = operations["/api/auth/password-reset"]?["post"]
        #expect(reset?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"] == ["reset_token", "password"])
        #expect(reset?["responses"]?.object?.keys.sorted() == ["200", "400", "413", "415", "429", "503"])
        #expect(operations["/api/auth/login"]?["post"]?["responses"]?["429"] != nil)
        #expect(operations["/api/auth/register"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"]
            == ["username", "email", "password"])
        #expect(operations["/api/users/"]?["get"]?["security"] == [["bearerAuth": []]])
        let metrics = operations["/metrics"]?["get"]?["responses"]
        #expect(metrics?.object?.keys.sorted() == ["200", "403"])
        #expect(metrics?["200"]?["content"]?["text/plain"] != nil)
        let logout = operations["/api/auth/logout"]?["post"]?["parameters"]?.array?.first
        #expect(logout?["in"] == "query")
        #expect(logout?["schema"]?["enum"] == ["local", "others", "global"])
        #expect(operations["/api/auth/refresh"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"]
            == ["refresh_token"])
        #expect(operations["/api/auth/sessions/{session_id}"]?["delete"]?["responses"]?["404"] != nil)
        #expect(operations["/api/auth/sessions"]?["get"]?["responses"]?["200"]?["content"]?["application/json"]?["schema"]
            == ["type": "array", "items": ["$ref": "#/components/schemas/Session"]])
    }

    @Test func theDocumentValidatesWithOpenAPISpecValidator() async throws {
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/openapi.json"
        try Data(OpenAPIDocument.json.serialized()).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "openapi_spec_validator", file]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        // Waited for without blocking a thread of the shared pool; its few lines fit the pipe.
        let (exited, exit) = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exit.finish() }
        try process.run()
        for await _ in exited {}
        let text = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(process.terminationStatus == 0, "openapi-spec-validator (installed by scripts/install-deps --test): \(text)")
        #expect(text.contains("OK"))
    }

    /// The document's password schema and the daemon's rules (contract section 4) agree on
    /// every ASCII password tried: each ASCII character in each position of passwords that
    /// lack one class, line breaks before the only letter of a class, and lengths counted
    /// as code points ("\r\n" is two). NSRegularExpression is ICU; the pattern is written
    /// to mean the same there as in ECMA-262 and Python's `re` (Schemathesis's engines).
    @Test func thePasswordSchemaAgreesWithTheDaemonsRulesOnASCII() throws {
        let schema = try #require(OpenAPIDocument.fieldRules["password"])
        let pattern = try NSRegularExpression(pattern: try #require(schema["pattern"]?.string))
        let minLength = try #require(schema["minLength"]?.int64), maxLength = try #require(schema["maxLength"]?.int64)
        func schemaAccepts(_ s: String) -> Bool {
            let n = Int64(s.unicodeScalars.count)
            let range = NSRange(s.startIndex..., in: s)
            return n >= minLength && n <= maxLength && pattern.firstMatch(in: s, range: range) != nil
        }
        var candidates = ["Secret#123", "aB1!\r\n\r\n", "\naB1!xxxx", "aB1\n!xxxx", "aB1xxxxx\n", "aB1xxxxx\t",
                          "aB1xxxxx\u{0B}", "aB1xxxxx\u{1C}", "aB1xxxxx\u{1F}", "aB1xxxxx\u{7F}",
                          String(repeating: "aB1!", count: 18), String(repeating: "aB1!", count: 18) + "x", "aB1!aB1"]
        let bases = ["aB1xxxxx", "a1!xxxxx", "B1!xxxxx", "aB!xxxxx", "aB1!xxxx"]
        for scalar in (1...127).compactMap(Unicode.Scalar.init) {
            for base in bases {
                for position in [0, 3, base.count] {
                    var s = base
                    s.insert(Character(scalar), at: s.index(s.startIndex, offsetBy: position))
                    candidates.append(s)
                }
            }
        }
        for password in candidates {
            #expect(schemaAccepts(password) == Validation.password(password).isEmpty,
                    "\(password.debugDescription): schema \(schemaAccepts(password)), daemon \(Validation.password(password))")
        }
    }
}
