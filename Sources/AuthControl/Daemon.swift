import AuthClient
import AuthInterface
import AuthJSON
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A connection to authd for one command, turning every failure into a `ControlError`.
struct Daemon {
    let path: String
    private let client: AuthClient
    private let token: String?
    private let tokenSource: TokenSource?

    init(path: String, token: String?, tokenSource: TokenSource?) throws(ControlError) {
        self.path = path
        self.token = token
        self.tokenSource = tokenSource
        do {
            client = try AuthClient(path: path)
        } catch {
            throw Self.unreachable(error, path: path)
        }
    }

    /// The result of a method; a daemon error becomes `.daemon`, or `.refusedToken` when
    /// it refused the caller's own token.
    func call(_ method: RPCMethod, _ params: [String: JSON] = [:]) throws(ControlError) -> JSON {
        switch try outcome(method, params) {
        case .success(let result): return result
        case .failure(let error): throw failure(error, of: method, params)
        }
    }

    /// What a daemon error means for the caller: a -32001 for a method that took the
    /// caller's token is about that token, so the message says where it came from.
    func failure(_ error: RPCError, of method: RPCMethod?, _ params: [String: JSON]) -> ControlError {
        let tookOurToken = method?.spec.actsForToken == true && params[ParamSpec.callerToken.name] == nil
        if error.code == RPCErrorCode.unauthenticated.rawValue, tookOurToken, let tokenSource {
            return .refusedToken(error, tokenSource)
        }
        return .daemon(error)
    }

    /// The result or the daemon's error, for callers that report errors per item (import).
    /// The users.* methods get the caller's token unless the params already carry one.
    func outcome(_ method: RPCMethod, _ params: [String: JSON]) throws(ControlError) -> Result<JSON, RPCError> {
        var params = params
        // Only methods that act for a token's holder take it; `auth.verify` and
        // `auth.logout` take the token they are about as their own argument.
        if method.spec.actsForToken, params[ParamSpec.callerToken.name] == nil, let token {
            params[ParamSpec.callerToken.name] = .string(token)
        }
        return try outcome(method.rawValue, params)
    }

    /// Sends a call without waiting (with the caller's token, as `outcome` adds it); its
    /// answer comes from `answer()`.
    func start(_ method: RPCMethod, _ params: [String: JSON]) throws(ControlError) -> Int {
        var params = params
        if method.spec.actsForToken, params[ParamSpec.callerToken.name] == nil, let token {
            params[ParamSpec.callerToken.name] = .string(token)
        }
        do {
            return try client.start(method, params)
        } catch {
            throw Self.unreachable(error, path: path)
        }
    }

    /// The next answer to a call `start` sent.
    func answer() throws(ControlError) -> (id: Int?, outcome: Result<JSON, RPCError>) {
        do {
            return try client.receiveAnswer()
        } catch {
            throw Self.unreachable(error, path: path)
        }
    }

    /// A call by name, exactly as given (`authctl call`).
    func outcome(_ method: String, _ params: [String: JSON]) throws(ControlError) -> Result<JSON, RPCError> {
        do {
            return try client.call(method, params)
        } catch {
            throw Self.unreachable(error, path: path)
        }
    }

    /// A broken connection is as useless as none, so both exit 3 and name the socket.
    private static func unreachable(_ error: ClientError, path: String) -> ControlError {
        switch error {
        case .unreachable: .unreachable(error.description, hint: hint(path))
        case .protocolError(let message): .unreachable("lost authd at \(path): \(message)", hint: nil)
        }
    }

    /// What to check when nothing answers at `path`: whether it exists, who may connect,
    /// and where systemd says why authd is not running.
    static func hint(_ path: String) -> String {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return "\(path) does not exist: is authd running? See `systemctl status authd.socket`, "
                + "or give --socket PATH (--user for your own authd)"
        }
        guard access(path, W_OK) == 0 else {
            return "only root and members of the authd-clients group may connect to \(path) "
                + "(`usermod -aG authd-clients $USER`, then log in again)"
        }
        return "\(path) exists but authd does not answer there: see `systemctl status authd.socket`"
    }
}
