import AuthCore
import AuthJSON

/// A JSON-RPC error object: `{"code", "message", "data": {"status", ...}}`.
public struct RPCError: Error, Sendable, Equatable {
    public var code: Int
    public var message: String
    public var data: [String: JSON]

    public init(_ code: RPCErrorCode, _ message: String? = nil, status: Int? = nil, data: [String: JSON] = [:]) {
        self.code = code.rawValue
        self.message = message ?? code.meaning
        self.data = data
        self.data["status"] = .int(status ?? code.status)
    }

    public init(code: Int, message: String, data: [String: JSON]) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The line was longer than `max_request_bytes`.
    public static func tooLarge(limit: Int) -> RPCError {
        RPCError(.invalidRequest, "Request larger than \(limit) bytes", status: 413)
    }

    /// The wire form of a domain error.
    public init(_ error: AuthError) {
        switch error.kind {
        case .unauthenticated: self.init(.unauthenticated, error.message, data: error.field.map { ["reason": .string($0)] } ?? [:])
        case .forbidden: self.init(.forbidden, error.message)
        case .notFound: self.init(.notFound, error.message)
        case .invalidParams:
            self.init(.invalidParams, error.message, data: ["fields": .object(error.fields.mapValues { .array($0.map { .string($0) }) })])
        case .conflict: self.init(.conflict, error.message, data: ["field": .string(error.field ?? "username")])
        case .tooManyAttempts: self.init(.tooManyAttempts, error.message, data: ["retry_after": .int(error.retryAfter ?? 1)])
        case .unavailable: self.init(.unavailable, error.message, data: ["retry_after": .int(error.retryAfter ?? 1)])
        case .internal: self.init(.internalError)
        }
    }

    public var json: JSON {
        ["code": .int(code), "data": .object(data), "message": .string(message)]
    }

    /// Reads an error object off the wire; nil if it is not one.
    public init?(json: JSON) {
        guard let code = json["code"]?.int64, let message = json["message"]?.string else { return nil }
        self.init(code: Int(code), message: message, data: json["data"]?.object ?? [:])
    }

    public var status: Int { data["status"]?.int64.map { Int($0) } ?? 500 }
}
