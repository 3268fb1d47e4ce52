import AuthInterface
import AuthJSON
import Hummingbird

/// An HTTP error in the contract's one shape, `{"error": {"message", "code", ...}}`, whether
/// authd raised it or the gateway did (bad JSON, wrong content type, no token, no route).
public struct GatewayError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// The members of `error` besides message and code: `messages`, `field`, `retry_after`.
    public var details: [String: JSON]
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, details: [String: JSON] = [:], headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers
    }

    /// authd's error: the status from `data.status`, the other `data` members beside the
    /// message, validation's `fields` under the name the Flask app used, `messages`.
    public init(_ error: RPCError) {
        var details = error.data
        details["status"] = nil
        if let fields = details.removeValue(forKey: "fields") { details["messages"] = fields }
        var headers = HTTPFields()
        if let seconds = details["retry_after"]?.int64 { headers[.retryAfter] = String(seconds) }
        // An error status authd would never send is its fault, not the client's: 502.
        let status = (400...599).contains(error.status) ? error.status : 502
        self.init(HTTPResponse.Status(code: status), error.message, details: details, headers: headers)
    }

    public var body: JSON {
        var error = details
        error["message"] = .string(message)
        error["code"] = .int(status.code)
        return ["error": .object(error)]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    public var response: Response {
        var response = Response.json(body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    static let missingToken = GatewayError(.unauthorized, "Missing or malformed Authorization header (expected: Bearer <token>)",
                                           headers: [.wwwAuthenticate: "Bearer"])
    static let notFound = GatewayError(.notFound, "Not found")
    static let internalError = GatewayError(.internalServerError, "Internal error")

    static func methodNotAllowed(allow: [HTTPRequest.Method]) -> GatewayError {
        GatewayError(.methodNotAllowed, "Method not allowed", headers: [.allow: allow.map(\.rawValue).joined(separator: ", ")])
    }
}

extension Response {
    /// A JSON body with its content type.
    static func json(_ value: JSON, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }
}
