import AuthJSON
import Hummingbird

extension GatewayRoute {
    /// The success response to a call's result: the route's status, and the result as the
    /// Flask app shaped it where that differs (the user array and its `Link`, the messages
    /// of logout and delete, the new user's `Location`).
    func response(_ result: JSON, params: [String: JSON]) -> Response {
        var headers = HTTPFields()
        let body: JSON
        switch self {
        case .register:
            if let id = result["id"]?.int64 { headers[.location] = "/api/users/\(id)" }
            body = result
        case .listUsers:
            if let next = result["next_after_id"]?.int64 {
                let limit = params["limit"].map { "limit=\($0.int64.map(String.init) ?? "")&" } ?? ""
                headers[.link] = "</api/users/?\(limit)after_id=\(next)>; rel=\"next\""
            }
            body = result["users"] ?? []
        case .logout: body = ["msg": "Successfully logged out"]
        case .listSessions: body = result["sessions"] ?? []
        case .revokeSession: body = ["msg": "Session revoked"]
        case .deleteUser: body = ["message": "User deleted"]
        default: body = result
        }
        return Response.json(body, status: successStatus, headers: headers)
    }
}
