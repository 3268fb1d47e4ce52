import AuthJSON

extension RPCMethod {
    /// The result schemas that method specs refer to by name.
    static let schemas: [String: JSON] = {
        let user: JSON = [
            "type": "object", "required": ["id", "username", "email", "created_at"],
            "properties": [
                "id": ["type": "integer"], "username": ["type": "string"], "email": ["type": "string"],
                "created_at": ["type": "string", "format": "date-time"],
            ],
        ]
        let ref: JSON = ["$ref": "#/components/schemas/User"]
        return [
            "User": user,
            "LoginResult": ["type": "object", "properties": [
                "access_token": ["type": "string"], "token_type": ["const": "Bearer"], "expires_in": ["type": "integer"], "user": ref,
            ]],
            "Revoked": ["type": "object", "properties": ["revoked": ["const": true]]],
            "Deleted": ["type": "object", "properties": ["deleted": ["const": true]]],
            "Unlocked": ["type": "object", "properties": ["unlocked": ["const": true]]],
            "Lockout": ["type": "object", "properties": [
                "failures": ["type": "integer"], "locked_until": ["type": ["string", "null"], "format": "date-time"],
            ]],
            "Verification": ["type": "object", "properties": [
                "active": ["type": "boolean"], "user": ref, "claims": ["type": "object"],
            ]],
            "UserPage": ["type": "object", "properties": [
                "users": ["type": "array", "items": ref], "next_after_id": ["type": ["integer", "null"]],
            ]],
            "Health": ["type": "object", "properties": [
                "status": ["const": "ok"], "version": ["type": "string"], "storage": ["type": "string"], "uptime_s": ["type": "integer"],
            ]],
            "Metrics": ["type": "object", "properties": ["content_type": ["type": "string"], "text": ["type": "string"]]],
            "OpenRPC": ["type": "object"],
        ]
    }()

    /// This interface as an OpenRPC 1.2 document.
    public static func openRPC(version: String) -> JSON {
        let methods: [JSON] = allCases.map { method in
            let spec = method.spec
            return [
                "name": .string(method.rawValue),
                "summary": .string(spec.summary),
                "paramStructure": "by-name",
                "params": .array(spec.params.map { p in
                    ["name": .string(p.name), "summary": .string(p.summary), "required": .bool(p.required), "schema": p.kind.schema]
                }),
                "result": ["name": .string(spec.result), "schema": ["$ref": .string("#/components/schemas/\(spec.result)")]],
                "errors": .array(spec.errors.map { ["code": .int($0.rawValue), "message": .string($0.meaning)] }),
            ]
        }
        return [
            "openrpc": "1.2.6",
            "info": ["title": "authd", "version": .string(version)],
            "methods": .array(methods),
            "components": ["schemas": .object(schemas)],
        ]
    }
}
