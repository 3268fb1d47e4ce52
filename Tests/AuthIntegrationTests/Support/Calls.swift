import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

extension AuthClient {
    /// The result of a call that must succeed.
    func ok(_ method: RPCMethod, _ params: [String: JSON] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSON {
        switch try call(method, params) {
        case .success(let result): return result
        case .failure(let error):
            Issue.record("\(method.rawValue) failed: \(error.json.text)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// A sample of `system.metrics` by its name and labels as exposed
    /// (`authd_pool_busy{pool="hash"}`); nil when it is not there.
    func metric(_ sample: String) throws -> Double? {
        let text = try ok(.metrics)["text"]?.string ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }
        return line.flatMap { Double($0.dropFirst(sample.count + 1)) }
    }

    /// The error of a call that must fail.
    func failure(_ method: RPCMethod, _ params: [String: JSON] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> RPCError {
        switch try call(method, params) {
        case .success(let result):
            Issue.record("\(method.rawValue) succeeded unexpectedly: \(result.text)", sourceLocation: sourceLocation)
            throw RPCError(.internalError, "unexpected success")
        case .failure(let error): return error
        }
    }

    /// Registers a user with a valid password and returns its id.
    @discardableResult
    func register(_ username: String, password: String = "Passw0rd!") throws -> Int64 {
        try ok(.register, ["username": .string(username), "email": .string("\(username)@example.com"), "password": .string(password)])["id"]!.int64!
    }

    /// Logs in and returns the access token.
    func login(_ username: String, password: String = "Passw0rd!") throws -> String {
        try ok(.login, ["username": .string(username), "password": .string(password)])["access_token"]!.string!
    }

    func isActive(_ token: String) throws -> Bool {
        try ok(.verify, ["token": .string(token)])["active"] == .bool(true)
    }
}

/// One raw JSON-RPC line sent by an unprivileged peer (uid and gid 65534, "nobody"),
/// whose answer line is returned parsed. Needs root, as the test script runs.
func callAsNobody(_ socket: String, _ method: RPCMethod, _ params: [String: JSON]) throws -> JSON {
    let line = RPCRequest(id: 1, method: method.rawValue, params: params).json.text
    let code = """
    import socket, sys
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(sys.argv[2].encode() + b"\\n")
    print(s.makefile().readline(), end="")
    """
    let r = try run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", code, socket, line])
    #expect(r.status == 0, "unprivileged call failed: \(r.stderr)")
    return try JSONParser.parse(r.stdout)
}

/// Polls until something answers on `path`, or `within` has passed.
func connectWhenAnswering(_ path: String, within: Duration = .seconds(4)) async -> AuthClient? {
    let deadline = ContinuousClock.now + within
    while ContinuousClock.now < deadline {
        if let client = try? AuthClient(path: path) { return client }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return nil
}

/// Sends one registration of `username` on every client at once (each with its own
/// email), then counts successes and -32009 conflicts among the answers.
func registerConcurrently(_ clients: [AuthClient], username: String) throws -> (successes: Int, conflicts: Int) {
    for (n, c) in clients.enumerated() {
        try c.send(RPCRequest(id: .int(n), method: RPCMethod.register.rawValue,
                              params: ["username": .string(username), "email": .string("\(username.lowercased())\(n)@example.com"),
                                       "password": "Passw0rd!"]).json)
    }
    var successes = 0, conflicts = 0
    for c in clients {
        let r = try c.receive()
        if r["result"] != nil { successes += 1 }
        if r["error"]?["code"] == -32009 { conflicts += 1 }
    }
    return (successes, conflicts)
}
