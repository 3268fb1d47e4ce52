import AuthGateway
import AuthJSON
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
        #expect(served.count == 10)
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
        #expect(patch == ["200", "400", "401", "403", "404", "409", "413", "415", "503"])
        #expect(operations["/api/auth/login"]?["post"]?["responses"]?["429"] != nil)
        #expect(operations["/api/auth/register"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["required"]
            == ["username", "email", "password"])
        #expect(operations["/api/users/"]?["get"]?["security"] == [["bearerAuth": []]])
        let metrics = operations["/metrics"]?["get"]?["responses"]
        #expect(metrics?.object?.keys.sorted() == ["200", "403"])
        #expect(metrics?["200"]?["content"]?["text/plain"] != nil)
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
}
