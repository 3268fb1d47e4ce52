import ArgumentParser
import AuthInterface
import AuthJSON

/// A user as an administrator names them: by id, username or email. The username rules
/// forbid all digits and "@", so the three never overlap.
struct UserReference: ExpressibleByArgument, CustomStringConvertible {
    enum Kind {
        case id(Int64)
        case username(String)
        case email(String)
    }

    let kind: Kind
    let description: String

    init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        description = argument
        if argument.allSatisfy(\.isASCII) && argument.allSatisfy(\.isNumber) {
            guard let id = Int64(argument) else { return nil }
            kind = .id(id)
        } else if argument.contains("@") {
            kind = .email(argument)
        } else {
            kind = .username(argument)
        }
    }

    static let help = ArgumentHelp("The user: an id, a username or an email address (names need a privileged caller).",
                                   valueName: "user")

    /// The `users.get` params that name this user.
    var getParams: [String: JSON] {
        switch kind {
        case .id(let id): RPCMethod.usersGet.params([.id: .int(id)])
        case .username(let name): RPCMethod.usersGet.params([.username: .string(name)])
        case .email(let address): RPCMethod.usersGet.params([.email: .string(address)])
        }
    }

    /// The user as `users.get` returns them.
    func user(on daemon: Daemon) throws(ControlError) -> JSON {
        try daemon.call(.usersGet, getParams)
    }

    /// The id, looked up when the user was named; the methods that change a user take ids.
    func id(on daemon: Daemon) throws(ControlError) -> Int64 {
        if case .id(let id) = kind { return id }
        guard let id = try user(on: daemon)["id"]?.int64 else {
            throw .unreachable("bad answer from authd: users.get gave no id", hint: nil)
        }
        return id
    }
}
