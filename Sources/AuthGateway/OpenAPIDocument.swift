import AuthInterface
import AuthJSON
import Hummingbird

/// The OpenAPI 3.1 document served at `/openapi.json`, generated from `GatewayRoute` and the
/// interface's own declarations (params, result schemas, errors), so it cannot drift from
/// what the router serves; a test holds the two together.
public enum OpenAPIDocument {
    public static let json: JSON = build()

    static func build() -> JSON {
        let rpc = RPCMethod.openRPC(version: authdVersion)
        var schemas = (rpc["components"]?["schemas"]?.object ?? [:]).filter {
            ["User", "LoginResult", "Health", "Session", "TOTPEnrollment", "RecoveryCodes", "Removed"].contains($0.key)
        }
        schemas["Error"] = errorSchema
        var paths: [String: [String: JSON]] = [:]
        for route in GatewayRoute.allCases {
            paths[route.openAPIPath, default: [:]][route.method.rawValue.lowercased()] = operation(route, rpc: rpc)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "authd HTTP gateway", "version": .string(authdVersion),
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
            parameters.append(["name": "id", "in": "path", "required": true, "schema": ["type": "integer", "minimum": 0, "maximum": .int(Int64.max)]])
        }
        if route.takesSessionID {
            parameters.append(["name": .string(ParamSpec.sessionID.name), "in": "path", "required": true, "schema": ["type": "string"]])
        }
        for name in route.queryParams {
            if let param = route.rpcMethod?.spec.param(named: name) {
                parameters.append(["name": .string(param.name), "in": "query", "schema": param.kind.schema])
            }
        }
        if route == .authRequest || route == .forwardAuth {
            parameters.append(["name": "group", "in": "query", "style": "form", "explode": true,
                               "description": "Needs a user in one of these groups, else 403 (repeatable)",
                               "schema": ["type": "array", "items": ["type": "string", "pattern": "^[a-z][a-z0-9_-]{0,31}$"]]])
            parameters.append(["name": "mfa", "in": "query", "description": "1: needs a session signed in with a second factor, else 403",
                               "schema": ["type": "string", "enum": ["1"]]])
        }
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        if route.takesJSONBody || route.takesOptionalJSONBody, let method = route.rpcMethod {
            op["requestBody"] = ["required": .bool(route.takesJSONBody),
                                 "content": ["application/json": ["schema": bodySchema(method, rpc: rpc)]]]
        }
        var responses: [String: JSON] = [String(route.successStatus.code): success(route)]
        for status in errorStatuses(route) {
            if status == 302 {
                responses["302"] = ["description": "A browser not signed in: the portal's login page, with the original URL in rd",
                                    "headers": ["Location": header("The portal's /login?rd=…", required: true)]]
                continue
            }
            var response: [String: JSON] = [
                "description": .string(HTTPResponse.Status(code: status).reasonPhrase),
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
            ]
            if let headers = errorHeaders(status, route) { response["headers"] = headers }
            responses[String(status)] = .object(response)
        }
        op["responses"] = .object(responses)
        return .object(op)
    }

    static func summary(_ route: GatewayRoute) -> String {
        switch route {
        case .openAPI: "This document."
        case .metrics: "Prometheus metrics: the gateway's own, then authd's (loopback and --metrics-allow clients only)."
        case .authRequest: "nginx auth_request: 200 with Remote-* headers for an active session cookie or bearer token, else 401."
        case .forwardAuth: "Traefik ForwardAuth, Caddy forward_auth: as auth-request, but a browser not signed in gets 302 to the portal."
        default: route.rpcMethod?.spec.summary ?? ""
        }
    }

    /// Every status other than success that the route can answer with.
    static func errorStatuses(_ route: GatewayRoute) -> Set<Int> {
        var statuses = Set(route.rpcMethod?.spec.errors.map(\.status) ?? [])
        if route.rpcMethod != nil { statuses.insert(503) }
        if route.takesJSONBody || route.takesOptionalJSONBody { statuses.formUnion([400, 413, 415]) }
        if route.needsToken { statuses.insert(401) }
        if route.path.contains(":id") || route == .metrics { statuses.insert(403) }
        if route == .authRequest || route == .forwardAuth { statuses.formUnion([400, 401, 403, 503]) }
        if route == .forwardAuth { statuses.insert(302) }
        if route.path.contains(":id") || route.takesSessionID { statuses.insert(404) }
        return statuses
    }

    static func success(_ route: GatewayRoute) -> JSON {
        func body(_ schema: JSON, _ description: String) -> JSON {
            ["description": .string(description), "content": ["application/json": ["schema": schema]]]
        }
        let user: JSON = ["$ref": "#/components/schemas/User"]
        switch route {
        case .register:
            var created = body(user, "The new user").object!
            created["headers"] = ["Location": header("/api/users/<id>, the new user's address", required: true)]
            created["links"] = userLinks(id: "$response.body#/id")
            return .object(created)
        case .login:
            var login = body(["$ref": "#/components/schemas/LoginResult"], "An access token and the user").object!
            login["links"] = userLinks(id: "$response.body#/user/id")
            return .object(login)
        case .logout: return body(message("msg", "Successfully logged out"), "The scope's sessions (or the token) are ended")
        case .refresh:
            var refreshed = body(["$ref": "#/components/schemas/LoginResult"], "A new access token and refresh token").object!
            refreshed["links"] = userLinks(id: "$response.body#/user/id")
            return .object(refreshed)
        case .listSessions:
            return body(["type": "array", "items": ["$ref": "#/components/schemas/Session"]], "The active sessions, most recently used first")
        case .revokeSession: return body(message("msg", "Session revoked"), "The session and its tokens are ended")
        case .passwordReset: return body(user, "The user, with the new password; every session and token of theirs ended")
        case .mfa:
            var login = body(["$ref": "#/components/schemas/LoginResult"], "The login completed: an access token and the user").object!
            login["links"] = userLinks(id: "$response.body#/user/id")
            return .object(login)
        case .enrollTOTP:
            return body(["$ref": "#/components/schemas/TOTPEnrollment"], "The new secret and its otpauth:// URI, pending until confirmed")
        case .removeTOTP: return body(["$ref": "#/components/schemas/Removed"], "TOTP and the recovery codes are gone")
        case .confirmTOTP, .regenerateRecoveryCodes:
            return body(["$ref": "#/components/schemas/RecoveryCodes"], "The recovery codes, shown this once")
        case .listUsers:
            var page = body(["type": "array", "items": user], "A page of users ordered by id").object!
            page["headers"] = ["Link": header("`<URL>; rel=\"next\"` when more users follow")]
            return .object(page)
        case .getUser, .updateUser: return body(user, "The user")
        case .deleteUser: return body(message("message", "User deleted"), "The user and their tokens are gone")
        case .health: return body(["$ref": "#/components/schemas/Health"], "authd answers")
        case .openAPI: return body(["type": "object"], "This document")
        case .metrics:
            return ["description": "Prometheus text format 0.0.4", "content": ["text/plain": ["schema": ["type": "string"]]]]
        case .authRequest, .forwardAuth:
            let names = ["Remote-User", "Remote-Email", "Remote-User-Id", "Remote-Groups", "Remote-Session-Id"]
            return ["description": "Signed in: who, in headers (each on every 200, empty when unknown)",
                    "headers": .object(Dictionary(uniqueKeysWithValues: names.map { ($0, header("The user's \($0.dropFirst(7).lowercased())", required: true)) }))]
        }
    }

    static func message(_ key: String, _ text: String) -> JSON {
        ["type": "object", "required": [.string(key)], "properties": [key: ["const": .string(text)]]]
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
