import AuthJSON
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The bearer token, or a 401 in the contract's shape. Never optional for the routes
    /// that need one: the gateway may itself be a privileged peer of authd, and a request
    /// without a token must not borrow that privilege.
    func requireToken() throws(GatewayError) -> String {
        guard let token = BearerToken.from(authorization: headers[.authorization]) else { throw .missingToken }
        return token
    }

    /// The body as a JSON object. Checked in the order a client can fix them: 413 when the
    /// declared length is over `limit` (before reading a byte), 415 unless the content type
    /// is JSON, 413 again if more than `limit` bytes arrive, 400 unless it is a JSON object.
    /// Whether the request says it carries a body (a type, a length above 0, or chunks).
    var sendsBody: Bool {
        headers[.contentType] != nil || headers[.transferEncoding] != nil || (headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
    }

    func jsonObject(limit: Int) async throws(GatewayError) -> [String: JSON] {
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw GatewayError.tooLarge(limit: limit)
        }
        guard Self.isJSON(headers[.contentType]) else {
            throw GatewayError(.unsupportedMediaType, "Content-Type must be application/json")
        }
        let bytes: ByteBuffer
        do {
            bytes = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw GatewayError.tooLarge(limit: limit)
        } catch {
            throw GatewayError(.badRequest, "Could not read the request body")
        }
        let value: JSON
        do {
            value = try JSONParser.parse(bytes.readableBytesView)
        } catch {
            throw GatewayError(.badRequest, "Malformed JSON: \(error.message)")
        }
        guard case .object(let object) = value else {
            throw GatewayError(.badRequest, "The request body must be a JSON object")
        }
        return object
    }

    /// `application/json`, with or without parameters such as charset, or any `+json` type.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let type = contentType?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() else {
            return false
        }
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }
}

extension GatewayError {
    static func tooLarge(limit: Int) -> GatewayError {
        GatewayError(.contentTooLarge, "Request body larger than \(limit) bytes", headers: [.connection: "close"])
    }
}
