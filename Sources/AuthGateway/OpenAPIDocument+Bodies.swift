import AuthInterface
import AuthJSON

extension OpenAPIDocument {
    /// The JSON body a route takes: the method's params a client may set, with the rules of
    /// contract section 4 where the method checks them (register and update; a login
    /// checks no rule), and for a login either a username or an email.
    static func bodySchema(_ method: RPCMethod, rpc: JSON) -> JSON {
        let declared = rpc["methods"]?.array?.first { $0["name"] == .string(method.rawValue) }?["params"]?.array ?? []
        let params = declared.filter { !Gateway.gatewayParams.contains($0["name"]?.string ?? "") }
        let checksRules = method == .register || method == .usersUpdate || method == .resetPassword
        var properties: [String: JSON] = [:]
        for p in params {
            let name = p["name"]?.string ?? ""
            var schema = p["schema"]?.object ?? [:]
            schema["description"] = p["summary"]
            if checksRules, let rules = fieldRules[name] { schema.merge(rules) { _, rule in rule } }
            properties[name] = .object(schema)
        }
        let required = params.filter { $0["required"] == .bool(true) }.compactMap { $0["name"] }
        // Unknown members are ignored, as the Flask schemas did (contract section 2).
        var schema: [String: JSON] = ["type": "object", "properties": .object(properties), "additionalProperties": true]
        if !required.isEmpty { schema["required"] = .array(required) }
        if method == .login { schema["anyOf"] = [["required": ["username"]], ["required": ["email"]]] }
        return .object(schema)
    }

    /// Contract section 4 as JSON Schema. The username's pattern says "starts with a letter
    /// or digit, not all digits" without a lookahead, which not every generator reads.
    static let fieldRules: [String: [String: JSON]] = [
        "username": ["minLength": 3, "maxLength": 80, "pattern": "^([A-Za-z][A-Za-z0-9._-]*|[0-9]+[A-Za-z._-][A-Za-z0-9._-]*)$"],
        "email": ["format": "email", "maxLength": 120],
        // The four classes as lookaheads and no NUL. Exact for ASCII; for other Unicode
        // (letters of any script count, and the limit is 72 bytes, not characters) only
        // the description can say it. Written to mean the same in ECMA-262, Python's `re`
        // and ICU: `[\s\S]` where `.` would stop at a line break, and whitespace spelled
        // out (the three disagree on `\s`: \v, and U+001C-U+001F).
        "password": [
            "minLength": 8, "maxLength": 72,
            "pattern": "^(?=[\\s\\S]*[a-z])(?=[\\s\\S]*[A-Z])(?=[\\s\\S]*[0-9])(?=[\\s\\S]*[^A-Za-z0-9\\t\\n\\x0B\\f\\r ])[^\\x00]*$",
            "description": """
                At least 8 characters with a lowercase letter, an uppercase letter, a digit and a special \
                character; no NUL; at most 72 bytes of UTF-8 (bcrypt's limit). The pattern is exact for ASCII; \
                letters of any script count as letters, and the 72 are bytes, not characters.
                """,
        ],
    ]

    /// The user routes a response's user id leads to.
    static func userLinks(id expression: String) -> JSON {
        var links: [String: JSON] = [:]
        for route in [GatewayRoute.getUser, .updateUser, .deleteUser] {
            links["\(route)"] = ["operationId": .string("\(route)"), "parameters": ["id": .string(expression)]]
        }
        return .object(links)
    }

    /// The headers an error response carries: `WWW-Authenticate` on a missing token's 401,
    /// `Retry-After` with a 429 or 503.
    static func errorHeaders(_ status: Int, _ route: GatewayRoute) -> JSON? {
        switch status {
        case 401 where route.needsToken: ["WWW-Authenticate": header("`Bearer` when the request carried no bearer token")]
        case 429, 503: ["Retry-After": header("Seconds to wait before retrying", type: "integer")]
        default: nil
        }
    }

    static func header(_ description: String, type: String = "string", required: Bool = false) -> JSON {
        var header: [String: JSON] = ["description": .string(description), "schema": ["type": .string(type)]]
        if required { header["required"] = true }
        return .object(header)
    }
}
