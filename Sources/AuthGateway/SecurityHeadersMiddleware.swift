import HTTPTypes
import Hummingbird

/// Headers on every response. Every API response may carry a token or a user's data, so
/// none may be cached by a browser or a proxy; and since the gateway serves only JSON,
/// nothing it sends may be sniffed into HTML, framed, or leak the URL as a referrer. And
/// `Date`, which RFC 9110 asks of a server with a clock.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        Self.apply { response.headers[$0] = $1 }
        return response
    }

    /// Sets each header with `set`, also on the 400s written outside the router
    /// (`HTTPRequestGuard`); a closure, so that no list is built per response.
    static func apply(_ set: (HTTPField.Name, String) -> Void) {
        set(.date, HTTPDate.now())
        set(.cacheControl, "no-store")
        set(.xContentTypeOptions, "nosniff")
        set(.xFrameOptions, "DENY")
        set(.contentSecurityPolicy, "default-src 'none'; frame-ancestors 'none'")
        set(.referrerPolicy, "no-referrer")
    }
}
