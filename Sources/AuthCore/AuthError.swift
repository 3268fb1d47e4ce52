/// An error the domain reports to a caller: a kind and a message that is safe to show.
/// Details that are not safe (SQL, paths, inputs) go to the log, never in here.
public struct AuthError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case unauthenticated
        case forbidden
        case notFound
        case invalidParams
        case conflict
        case tooManyAttempts
        case unavailable
        case `internal`
    }

    public var kind: Kind
    public var message: String
    /// Per-field validation messages (invalidParams).
    public var fields: [String: [String]] = [:]
    /// The field that clashed (conflict); why a refresh token was refused (unauthenticated).
    public var field: String?
    /// Seconds before a retry makes sense (tooManyAttempts, unavailable).
    public var retryAfter: Int?

    public init(_ kind: Kind, _ message: String, fields: [String: [String]] = [:], field: String? = nil, retryAfter: Int? = nil) {
        self.kind = kind
        self.message = message
        self.fields = fields
        self.field = field
        self.retryAfter = retryAfter
    }

    public static func invalid(_ fields: [String: [String]]) -> AuthError {
        AuthError(.invalidParams, "Validation failed", fields: fields)
    }
    public static let unauthenticated = AuthError(.unauthenticated, "Invalid or missing token")
    public static let badCredentials = AuthError(.unauthenticated, "Invalid credentials")
    public static let forbidden = AuthError(.forbidden, "Not allowed to act on this user")
    public static let notFound = AuthError(.notFound, "User not found")
    public static func conflict(_ field: String) -> AuthError {
        let message = switch field {
        case "email": "Email already registered"
        case "id": "User id already in use, or once used by a deleted user"
        default: "Username already taken"
        }
        return AuthError(.conflict, message, field: field)
    }
    public static func unavailable(_ message: String, retryAfter: Int = 1) -> AuthError {
        AuthError(.unavailable, message, retryAfter: retryAfter)
    }
    /// A refused refresh token, with the contract's `data.reason` (nil: unknown token).
    public static func refreshRefused(_ reason: String?) -> AuthError {
        AuthError(.unauthenticated, reason == "reused" ? "Refresh token reused; the session has ended" : "Invalid refresh token",
                  field: reason)
    }
    public static let sessionNotFound = AuthError(.notFound, "Session not found")
    public static let `internal` = AuthError(.internal, "Internal error")
}
