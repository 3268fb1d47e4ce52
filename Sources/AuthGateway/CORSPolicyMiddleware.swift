import Hummingbird

/// CORS for the origins given with `--cors-origin` (none by default, so browsers on other
/// origins are refused). A preflight from an allowed origin gets the route's methods and
/// the headers a client sends; one from any other origin gets a 403 and no CORS headers.
/// An OPTIONS request that is not a preflight gets the route's `Allow`.
struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>

    init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin]
        if request.method == .options {
            return options(request, origin: origin)
        }
        var response = try await next(request, context)
        if let origin, allowedOrigins.contains(origin) {
            response.headers[.accessControlAllowOrigin] = origin
            // So that a script can read the next page's address and how long to back off.
            response.headers[.accessControlExposeHeaders] = "Link, Location, Retry-After"
        }
        if !allowedOrigins.isEmpty {
            // The answer depends on the Origin header.
            response.headers[values: .vary].append("Origin")
        }
        return response
    }

    private func options(_ request: Request, origin: String?) -> Response {
        let methods = GatewayRoute.methods(servedAt: request.uri.path)
        guard !methods.isEmpty else { return GatewayError.notFound.response }
        let list = methods.map(\.rawValue).joined(separator: ", ")
        guard let origin, request.headers[.accessControlRequestMethod] != nil else {
            return Response(status: .noContent, headers: [.allow: list + ", OPTIONS"])
        }
        guard allowedOrigins.contains(origin) else {
            var response = GatewayError(.forbidden, "Origin not allowed").response
            response.headers[.vary] = "Origin"
            return response
        }
        return Response(status: .noContent, headers: [
            .accessControlAllowOrigin: origin,
            .accessControlAllowMethods: list,
            .accessControlAllowHeaders: "Authorization, Content-Type",
            .accessControlMaxAge: "600",
            .vary: "Origin",
        ])
    }
}
