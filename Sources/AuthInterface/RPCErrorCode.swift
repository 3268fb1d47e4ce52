/// The error codes of the contract (section 2), each with its HTTP status.
public enum RPCErrorCode: Int, Sendable, CaseIterable {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    case unauthenticated = -32001
    case forbidden = -32003
    case notFound = -32004
    case conflict = -32009
    case tooManyAttempts = -32029
    case unavailable = -32050

    /// The status the HTTP gateway answers with (a too-large request is 413, see `RPCError.tooLarge`).
    public var status: Int {
        switch self {
        case .parseError, .invalidRequest, .invalidParams: 400
        case .methodNotFound, .notFound: 404
        case .internalError: 500
        case .unauthenticated: 401
        case .forbidden: 403
        case .conflict: 409
        case .tooManyAttempts: 429
        case .unavailable: 503
        }
    }

    public var meaning: String {
        switch self {
        case .parseError: "Parse error"
        case .invalidRequest: "Invalid request"
        case .methodNotFound: "Method not found"
        case .invalidParams: "Invalid params"
        case .internalError: "Internal error"
        case .unauthenticated: "Unauthenticated"
        case .forbidden: "Forbidden"
        case .notFound: "Not found"
        case .conflict: "Conflict"
        case .tooManyAttempts: "Too many attempts"
        case .unavailable: "Unavailable"
        }
    }
}
