import AuthCore
import AuthInterface
import AuthJSON
import HTTPTypes
import Hummingbird

/// Forward authentication for reverse proxies (contract §11): nginx's `auth_request`
/// (`/api/authz/auth-request`: 200 or 401) and Traefik's ForwardAuth or Caddy's
/// `forward_auth` (`/api/authz/forward-auth`: the same, but a browser that is not signed
/// in is sent to the portal's login page). The answer is one `auth.verify` of the
/// request's credential: the portal's session cookie, or a bearer token, never both.
extension Gateway {
    /// The portal's session cookie: `__Host-` prefixed when the portal is served over https.
    var sessionCookieName: String {
        configuration.portalURL?.lowercased().hasPrefix("https://") == true ? "__Host-authd_session" : "authd_session"
    }

    /// Every `Remote-*` header of a 200, each on every answer (empty when unknown), so that
    /// none a client sent can pass through a proxy that copies headers.
    static func remoteHeaders(_ verified: JSON) -> HTTPFields {
        let user = verified[ResultKey.user.rawValue]
        let groups: [String] = (verified[ResultKey.groups.rawValue]?.array ?? []).compactMap(\.string)
        var headers = HTTPFields()
        headers[.remoteUser] = user?[ResultKey.username.rawValue]?.string ?? ""
        headers[.remoteEmail] = user?[ResultKey.email.rawValue]?.string ?? ""
        headers[.remoteUserID] = user?[ResultKey.id.rawValue]?.int64.map { String($0) } ?? ""
        headers[.remoteGroups] = groups.joined(separator: ",")
        headers[.remoteSessionID] = verified[ResultKey.session.rawValue]?[ResultKey.id.rawValue]?.string ?? ""
        return headers
    }

    func forwardAuth(_ route: GatewayRoute, _ request: Request, _ context: GatewayRequestContext) async throws(GatewayError) -> Response {
        // The policies come from this endpoint's own query, never from the forwarded URL. A
        // policy the gateway cannot read is the proxy's misconfiguration, refused rather than
        // ignored: `?mfa=true` or `?grop=admins` must not leave a page open.
        let query = request.uri.queryParameters
        let wanted = query[values: "group"].map(String.init)
        if let unknown = query.map(\.key).first(where: { $0 != "group" && $0 != "mfa" }) {
            throw GatewayError(.badRequest, "Unknown policy '\(unknown.prefix(40))': the query takes group and mfa")
        }
        if query[values: "mfa"].contains(where: { $0 != "1" }) { throw GatewayError(.badRequest, "The mfa policy is mfa=1") }
        if let bad = wanted.first(where: { !AuthService.isGroupName($0) }) {
            throw GatewayError(.badRequest, "Not a group name: '\(bad.prefix(40))'")
        }
        let bearer = BearerToken.from(authorization: request.headers[.authorization])
        let cookie = Self.cookie(sessionCookieName, in: request.headers[values: .cookie])
        // Both at once: 401, which nginx passes on (any other refusal but 403 it makes a 500).
        if bearer != nil && cookie != nil { throw GatewayError(.unauthorized, "Send a session cookie or a bearer token, not both") }
        guard let credential = bearer ?? cookie else { return try refuse(route, request, context, "Not signed in") }
        let verified = try await call(.verify, [ParamSpec.token.name: .string(credential)])
        guard verified[ResultKey.active.rawValue] == .bool(true) else { return try refuse(route, request, context, "Not signed in") }
        let groups = Set((verified[ResultKey.groups.rawValue]?.array ?? []).compactMap(\.string))
        if !wanted.isEmpty && groups.isDisjoint(with: wanted) {
            throw GatewayError(.forbidden, "Not in a group this page needs")
        }
        if query["mfa"] == "1" {
            let amr = (verified[ResultKey.session.rawValue]?[ResultKey.amr.rawValue]?.array ?? []).compactMap(\.string)
            if !amr.contains("otp") {
                if route == .forwardAuth, Self.isBrowser(request) { return redirectToPortal(request, context, mfa: true) }
                throw GatewayError(.forbidden, "This page needs a sign-in with a second factor")
            }
        }
        var headers = Self.remoteHeaders(verified)
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers)
    }

    /// Not signed in: 401, or on `forward-auth` for a browser the portal's login page.
    private func refuse(_ route: GatewayRoute, _ request: Request, _ context: GatewayRequestContext, _ message: String) throws(GatewayError)
        -> Response {
        if route == .forwardAuth, Self.isBrowser(request) { return redirectToPortal(request, context, mfa: false) }
        throw GatewayError(.unauthorized, message)
    }

    /// A 302 to the portal's login page, with the original URL as it was in `rd` (checked
    /// when the portal redirects after sign-in, not here).
    private func redirectToPortal(_ request: Request, _ context: GatewayRequestContext, mfa: Bool) -> Response {
        var query: [String] = []
        if let original = originalURL(request, context) { query.append("rd=" + PercentEncoding.encoded(original)) }
        if mfa { query.append("mfa=1") }
        let base = (configuration.portalURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "") + "/login"
        var headers = HTTPFields()
        headers[.location] = base + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        headers[.cacheControl] = "no-store"
        return Response(status: .found, headers: headers)
    }

    /// The URL the user asked the proxy for: `X-Forwarded-Proto`, `-Host` and `-Uri`
    /// (Traefik, Caddy) or `X-Original-URL` (nginx), believed only from a trusted proxy.
    func originalURL(_ request: Request, _ context: GatewayRequestContext) -> String? {
        guard let peer = context.peer, clientAddresses.isTrusted(peer) else { return nil }
        if let proto = request.headers[.xForwardedProto], let host = request.headers[.xForwardedHost] {
            return "\(proto)://\(host)\(request.headers[.xForwardedURI] ?? "/")"
        }
        return request.headers[.xOriginalURL]
    }

    /// Whether the request is a browser's: its `Accept` names `text/html` (`*/*` alone does not).
    static func isBrowser(_ request: Request) -> Bool {
        request.headers[values: .accept].flatMap { $0.split(separator: ",") }.contains {
            $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "text/html"
        }
    }

    /// The value of the cookie `name` among the `Cookie` fields; nil when absent or empty.
    static func cookie(_ name: String, in fields: [String]) -> String? {
        for field in fields {
            for pair in field.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == name else { continue }
                let value = trimmed[trimmed.index(after: equals)...]
                return value.isEmpty ? nil : String(value)
            }
        }
        return nil
    }
}
