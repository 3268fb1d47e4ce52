import AuthInterface
import AuthJSON
import Hummingbird

/// The OpenAPI 3.1 document served at `/openapi.json`, generated from `GatewayRoute` and the
/// interface's own declarations (params, result schemas, errors), so it cannot drift from
/// what the router serves; a test holds the two together.
public enum OpenAPIDocument {
    public static let version = "0.1.0"
    public static let json: JSON = build()

    static func build() -> JSON {
        let rpc = RPCMethod.openRPC(version: version)
        var schemas = (rpc["components"]?["schemas"]?.object ?? [:]).filter { ["User", "LoginResult", "Health"].contains($0.key) }
        schemas["Error"] = errorSchema
        var paths: [String: [String: JSON]] = [:]
        for route in GatewayRoute.allCases {
            paths[route.openAPIPath, default: [:]][route.method.rawValue.lowercased()] = operation(route, rpc: rpc)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "authd HTTP gateway", "version": .string(version),
                "description": "The REST API of the original Flask app, served on top of authd's JSON-RPC socket.",
            ],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "schemas": .object(schemas),
                "securitySchemes": ["bearerAuth": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]],
            ],
        ]
    }

    static func operation(_ route: GatewayRoute, rpc: JSON) -> JSON {
        var op: [String: JSON] = [
            "operationId": .string("\(route)"),
            "summary": .string(summary(route)),
            "tags": [.string(route.path.hasPrefix("/api/auth") ? "auth" : route.path.hasPrefix("/api/users") ? "users" : "system")],
        ]
        if route.needsToken { op["security"] = [["bearerAuth": []]] }
        var parameters: [JSON] = []
        if route.path.contains(":id") {
            parameters.append(["name": "id", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 0]])
        }
        if route == .listUsers {
            parameters.append(["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 500, "default": 50]])
            parameters.append(["name": "after_id", "in": "query", "schema": ["type": "integer", "minimum": 0, "default": 0]])
        }
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if route.takesJSONBody, let method = route.rpcMethod {
            op["requestBody"] = ["required": true, "content": ["application/json": ["schema": bodySchema(method, rpc: rpc)]]]
        }
        var responses: [String: JSON] = [String(route.successStatus.code): success(route)]
        for status in errorStatuses(route) {
            responses[String(status)] = [
                "description": .string(HTTPResponse.Status(code: status).reasonPhrase),
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
            ]
        }
        op["responses"] = .object(responses)
        return .object(op)
    }

    static func summary(_ route: GatewayRoute) -> String {
        switch route {
        case .openAPI: "This document."
        case .metrics: "Prometheus metrics: the gateway's own, then authd's (loopback and --metrics-allow clients only)."
        default: route.rpcMethod?.spec.summary ?? ""
        }
    }

    /// Every status other than success that the route can answer with.
    static func errorStatuses(_ route: GatewayRoute) -> Set<Int> {
        var statuses = Set(route.rpcMethod?.spec.errors.map(\.status) ?? [])
        if route.rpcMethod != nil { statuses.insert(503) }
        if route.takesJSONBody { statuses.formUnion([400, 413, 415]) }
        if route.needsToken { statuses.insert(401) }
        if route.path.contains(":id") || route == .metrics { statuses.insert(403) }
        if route.path.contains(":id") { statuses.insert(404) }
        return statuses
    }

    static func success(_ route: GatewayRoute) -> JSON {
        func body(_ schema: JSON, _ description: String) -> JSON {
            ["description": .string(description), "content": ["application/json": ["schema": schema]]]
        }
        let user: JSON = ["$ref": "#/components/schemas/User"]
        switch route {
        case .register: return body(user, "The new user")
        case .login: return body(["$ref": "#/components/schemas/LoginResult"], "An access token and the user")
        case .logout: return body(message("msg", "Successfully logged out"), "The token is revoked")
        case .listUsers:
            var page = body(["type": "array", "items": user], "A page of users ordered by id").object!
            page["headers"] = ["Link": [
                "description": "`<URL>; rel=\"next\"` when more users follow",
                "schema": ["type": "string"],
            ]]
            return .object(page)
        case .getUser, .updateUser: return body(user, "The user")
        case .deleteUser: return body(message("message", "User deleted"), "The user and their tokens are gone")
        case .health: return body(["$ref": "#/components/schemas/Health"], "authd answers")
        case .openAPI: return body(["type": "object"], "This document")
        case .metrics:
            return ["description": "Prometheus text format 0.0.4", "content": ["text/plain": ["schema": ["type": "string"]]]]
        }
    }

    static func message(_ key: String, _ text: String) -> JSON {
        ["type": "object", "required": [.string(key)], "properties": [key: ["const": .string(text)]]]
    }

    /// The JSON body a route takes: the method's params a client may set.
    static func bodySchema(_ method: RPCMethod, rpc: JSON) -> JSON {
        let declared = rpc["methods"]?.array?.first { $0["name"] == .string(method.rawValue) }?["params"]?.array ?? []
        let params = declared.filter { Gateway.clientParams([$0["name"]?.string ?? "": .null], for: method).count == 1 }
        var properties: [String: JSON] = [:]
        for p in params {
            var schema = p["schema"]?.object ?? [:]
            schema["description"] = p["summary"]
            properties[p["name"]?.string ?? ""] = .object(schema)
        }
        let required = params.filter { $0["required"] == .bool(true) }.compactMap { $0["name"] }
        var schema: [String: JSON] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required) }
        return .object(schema)
    }

    static let errorSchema: JSON = [
        "type": "object", "required": ["error"],
        "properties": ["error": [
            "type": "object", "required": ["message", "code"],
            "properties": [
                "message": ["type": "string"],
                "code": ["type": "integer", "description": "The HTTP status"],
                "messages": ["type": "object", "description": "Validation messages per field",
                             "additionalProperties": ["type": "array", "items": ["type": "string"]]],
                "field": ["type": "string", "description": "The field that clashed (409)"],
                "retry_after": ["type": "integer", "description": "Seconds to wait before retrying (429, 503)"],
            ],
        ]],
    ]
}
