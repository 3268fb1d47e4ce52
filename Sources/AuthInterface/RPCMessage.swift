import AuthJSON

/// One JSON-RPC 2.0 request, as read off the wire.
public struct RPCRequest: Sendable {
    /// nil for a notification (no `id` member); `.null` for an explicit null id.
    public var id: JSON?
    public var method: String
    public var params: [String: JSON]

    public init(id: JSON?, method: String, params: [String: JSON] = [:]) {
        self.id = id
        self.method = method
        self.params = params
    }

    /// Validates the envelope. On failure, returns the error together with the id to
    /// answer with (the request's own when it could be read, else null).
    public static func parse(_ json: JSON) -> Result<RPCRequest, RPCFailure> {
        guard let o = json.object else {
            return .failure(RPCFailure(id: .null, error: RPCError(.invalidRequest, "Request must be an object")))
        }
        var id: JSON? = o["id"]
        if let candidate = id {
            switch candidate {
            case .string, .number, .null: break
            default:
                id = .null
                return .failure(RPCFailure(id: .null, error: RPCError(.invalidRequest, "id must be a string, a number or null")))
            }
        }
        let answerID = id ?? .null
        guard o["jsonrpc"] == .string("2.0") else {
            return .failure(RPCFailure(id: answerID, error: RPCError(.invalidRequest, "jsonrpc must be \"2.0\"")))
        }
        guard case .string(let method)? = o["method"] else {
            return .failure(RPCFailure(id: answerID, error: RPCError(.invalidRequest, "method must be a string")))
        }
        if let params = o["params"]?.object { return .success(RPCRequest(id: id, method: method, params: params)) }
        switch o["params"] {
        case nil: return .success(RPCRequest(id: id, method: method))
        case .array?:
            return .failure(RPCFailure(id: answerID, error: RPCError(.invalidParams, "params must be given by name (an object)"),
                                       notification: id == nil))
        default:
            return .failure(RPCFailure(id: answerID, error: RPCError(.invalidRequest, "params must be an object")))
        }
    }

    public var json: JSON {
        var o: [String: JSON] = ["jsonrpc": "2.0", "method": .string(method)]
        if !params.isEmpty { o["params"] = .object(params) }
        if let id { o["id"] = id }
        return .object(o)
    }
}

/// A request that failed before dispatch, with the id to answer with.
public struct RPCFailure: Error, Sendable {
    public var id: JSON
    public var error: RPCError
    /// A well-formed notification with bad params still gets no answer.
    public var notification: Bool = false
}

/// Builds response objects.
public enum RPCResponse {
    public static func success(id: JSON, result: JSON) -> JSON {
        ["id": id, "jsonrpc": "2.0", "result": result]
    }

    public static func failure(id: JSON, error: RPCError) -> JSON {
        ["error": error.json, "id": id, "jsonrpc": "2.0"]
    }

    public static func response(id: JSON, _ outcome: Result<JSON, RPCError>) -> JSON {
        switch outcome {
        case .success(let result): success(id: id, result: result)
        case .failure(let error): failure(id: id, error: error)
        }
    }

    /// The result or error of a response object.
    public static func outcome(of response: JSON) -> Result<JSON, RPCError> {
        if let result = response["result"] { return .success(result) }
        if let error = response["error"].flatMap(RPCError.init(json:)) { return .failure(error) }
        return .failure(RPCError(.internalError, "Malformed response"))
    }
}
