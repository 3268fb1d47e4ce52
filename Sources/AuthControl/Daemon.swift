import AuthClient
import AuthInterface
import AuthJSON

/// A connection to authd for one command, turning every failure into a `ControlError`.
struct Daemon {
    let path: String
    private let client: AuthClient
    private let token: String?

    init(path: String, token: String?) throws(ControlError) {
        self.path = path
        self.token = token
        do {
            client = try AuthClient(path: path)
        } catch {
            throw Self.unreachable(error, path: path)
        }
    }

    /// The result of a method; a daemon error becomes `.daemon`.
    func call(_ method: RPCMethod, _ params: [String: JSON] = [:]) throws(ControlError) -> JSON {
        switch try outcome(method, params) {
        case .success(let result): return result
        case .failure(let error): throw .daemon(error)
        }
    }

    /// The result or the daemon's error, for callers that report errors per item (import).
    /// The users.* methods get the caller's token unless the params already carry one.
    func outcome(_ method: RPCMethod, _ params: [String: JSON]) throws(ControlError) -> Result<JSON, RPCError> {
        var params = params
        if Self.takesToken(method), params["token"] == nil, let token {
            params["token"] = .string(token)
        }
        return try outcome(method.rawValue, params)
    }

    /// A call by name, exactly as given (`authctl call`).
    func outcome(_ method: String, _ params: [String: JSON]) throws(ControlError) -> Result<JSON, RPCError> {
        do {
            return try client.call(method, params)
        } catch {
            throw Self.unreachable(error, path: path)
        }
    }

    /// Only the users.* methods act on behalf of a token holder; the auth.* methods take
    /// the token they are about as their own argument.
    private static func takesToken(_ method: RPCMethod) -> Bool {
        switch method {
        case .usersGet, .usersList, .usersUpdate, .usersDelete, .usersImport, .usersLockout, .usersUnlock: true
        case .register, .login, .logout, .verify, .health, .metrics, .discover: false
        }
    }

    /// A broken connection is as useless as none, so both exit 3 and name the socket.
    private static func unreachable(_ error: ClientError, path: String) -> ControlError {
        switch error {
        case .unreachable: .unreachable(error.description)
        case .protocolError(let message): .unreachable("lost authd at \(path): \(message)")
        }
    }
}
