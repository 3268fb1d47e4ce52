import Hummingbird
import Logging

/// Turns every error into a response in the contract's shape, so that a client never sees
/// Hummingbird's empty error bodies, an HTML page or a stack trace. A path the router knows
/// under other methods is a 405 with `Allow`, not a 404; `Allow` names OPTIONS too when
/// CORS preflights are served (`--cors-origin`).
struct ErrorShapeMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let servesPreflights: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await shaped(request, context: context, next: next)
        // A matched GET route's HEAD has its body taken off by the router; an unmatched one's is here.
        return request.method == .head ? response.createHeadResponse() : response
    }

    private func shaped(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as GatewayError {
            return error.response
        } catch let error as HTTPError {
            if error.status == .notFound {
                let allowed = GatewayRoute.methods(servedAt: request.uri.path)
                if !allowed.isEmpty {
                    return GatewayError.methodNotAllowed(allow: allowed + (servesPreflights ? [.options] : [])).response
                }
                return GatewayError.notFound.response
            }
            return GatewayError(error.status, error.body ?? error.status.reasonPhrase, headers: error.headers).response
        } catch let error as any HTTPResponseError {
            return GatewayError(error.status, error.status.reasonPhrase).response
        } catch {
            // Details go to the log only.
            logger.error("unexpected error", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return GatewayError.internalError.response
        }
    }
}
