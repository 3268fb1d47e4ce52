import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
import Foundation
import Testing

/// Two-factor sign-in beyond the daemon's own methods: the factor through export and import,
/// authctl on a terminal, the key the database expects, and two daemons sharing a database.
extension IntegrationTests.MFATests {
    @Test func exportCarriesTheFactorSealedAndImportTakesItWhereTheSameKeyIsSet() async throws {
        let source = try await TestDaemon()
        let c = try source.client()
        let user = try await Self.enroll(c, "mover")
        _ = try c.ok(.mfa, ["mfa_token": try Self.passwordStep(c, "mover"), "recovery_code": .string(user.recoveryCodes[0])])
        let row = try #require(try c.ok(.usersExport)["users"]?.array?.first?.object)
        let sealed = try #require(row["totp_secret"]?.string)
        let stored = try source.sql("SELECT sealed_secret FROM mfa_totp")
        #expect(!sealed.contains(user.secret) && sealed != stored)
        #expect(Self.strings(row["recovery_code_hashes"])?.count == 9)
        // Into a fresh database with the same key: the factor is required, its codes and
        // the nine unused recovery codes work.
        let target = try await TestDaemon()
        let t = try target.client()
        #expect(try t.ok(.usersImport, ["users": [.object(row)]])["results"]?.array?.first?["id"] == .int(user.id))
        #expect(try t.ok(.usersStatus, ["id": .int(user.id)])["mfa"] == ["totp"])
        try await Self.awayFromAStepBoundary()
        let mfaToken = try Self.passwordStep(t, "mover")
        #expect(try t.ok(.mfa, ["mfa_token": mfaToken, "code": .string(try Self.codes(user.secret, [1])[0])])["access_token"] != nil)
        #expect(try t.failure(.mfa, ["mfa_token": try Self.passwordStep(t, "mover"), "recovery_code": .string(user.recoveryCodes[0])])
            .code == -32001)
        #expect(try t.ok(.mfa, ["mfa_token": try Self.passwordStep(t, "mover"), "recovery_code": .string(user.recoveryCodes[1])])["access_token"] != nil)
        // Under another key, or without its id, the row is refused and says why.
        let elsewhere = try await TestDaemon(environment: ["AUTHD_MFA_KEY": String(repeating: "e7", count: 32)])
        let refused = try elsewhere.client().ok(.usersImport, ["users": [.object(row)]])["results"]?.array?.first?["error"]
        #expect(refused?["code"] == -32602 && refused?["data"]?["fields"]?["totp_secret"] != nil, "\(refused?.text ?? "")")
        var withoutID = row
        withoutID["id"] = nil
        let noID = try elsewhere.client().ok(.usersImport, ["users": [.object(withoutID)]])["results"]?.array?.first?["error"]
        #expect(noID?["data"]?["fields"]?["totp_secret"] == ["Needs the row's id: a TOTP factor moves with its user's id."])
        #expect(try elsewhere.client().ok(.usersList)["users"] == [])
    }

    @Test func authctlEnrollsOnATerminalWithAQRCodeAndLogsInWithACode() async throws {
        let daemon = try await TestDaemon()
        let c = try daemon.client()
        let id = try c.register("terminal")
        let env = IntegrationTests.AuthctlTests.environment(["AUTHD_TOKEN": try c.login("terminal")])
        let socket = ["--socket", daemon.socketPath]
        try await Self.awayFromAStepBoundary()
        let enroll = try TerminalRun([TestDaemon.authctl, "mfa", "enroll"] + socket, answers: ["Passw0rd!", "@totp"],
                                     prompts: ["Current password: ", "Code from your authenticator app: "], environment: env,
                                     python: try python("import sys; print(sys.executable)"))
        #expect(enroll.status == 0, "\(enroll.text)")
        #expect(enroll.echo == [false, true])
        #expect(!enroll.text.contains("Passw0rd!"))
        // The QR code: at least 21 modules wide and tall (half a line each), in block characters.
        let qrLines = enroll.text.split(separator: "\n").filter { $0.count >= 29 && $0.allSatisfy { " ▀▄█".contains($0) } }
        #expect(qrLines.count >= 14, "\(enroll.text)")
        #expect(enroll.text.contains("otpauth://totp/authd:terminal?secret="))
        let secret = try #require(enroll.text.firstMatch(of: /secret: ([A-Z2-7]+)/)?.1).description
        let codes = enroll.text.matches(of: /\n  ([a-z2-7]{5}-[a-z2-7]{5})/).map { String($0.1) }
        #expect(codes.count == 10)
        #expect(try c.ok(.usersStatus, ["id": .int(id)])["mfa"] == ["totp"])
        // A script logs in with --code; the token's session is pwd and otp.
        let login = try run(TestDaemon.authctl, ["login", "--username", "terminal", "--password-stdin", "--code",
                                                 try Self.codes(secret, [1])[0]] + socket, stdin: "Passw0rd!\n", environment: env)
        #expect(login.status == 0, "\(login.stderr)")
        let token = login.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try c.ok(.verify, ["token": .string(token)])["session"]?["amr"] == ["pwd", "otp"])
        let recovery = try run(TestDaemon.authctl, ["login", "--username", "terminal", "--password-stdin", "--recovery-code", codes[0]] + socket,
                               stdin: "Passw0rd!\n", environment: env)
        #expect(recovery.status == 0, "\(recovery.stderr)")
        let wrong = try run(TestDaemon.authctl, ["login", "--username", "terminal", "--password-stdin", "--code", "000000"] + socket,
                            stdin: "Passw0rd!\n", environment: env)
        #expect(wrong.status == 1 && wrong.stderr.contains("Invalid code"))
        // The administrator's reset for a lost device.
        let reset = try IntegrationTests.AuthctlTests.authctl(daemon.socketPath, ["user", "mfa-reset", "terminal"])
        #expect(reset.status == 0, "\(reset.stderr)")
        #expect(try c.ok(.usersStatus, ["id": .int(id)])["mfa"] == [])
    }

    @Test func aDaemonGivenAnotherMFAKeyThanTheDatabasesRefusesToStart() async throws {
        let daemon = try await TestDaemon()
        _ = try await Self.enroll(try daemon.client(), "keyed")
        // (SQLite: the file is no longer held.)
        daemon.stop()
        let dir = makeTestDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run(TestDaemon.authd, ["--socket", "\(dir)/other.sock", "--database", daemon.databaseURL, "--bcrypt-cost", "4"],
                        environment: ["JWT_SECRET_KEY": testSecret, "AUTHD_MFA_KEY": String(repeating: "c3", count: 32), "PATH": "/usr/bin:/bin",
                                      "HOME": dir])
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("MFA key") && r.stderr.contains("same key"))
        #expect(!r.stderr.contains(String(repeating: "c3", count: 32)) && !r.stderr.contains(testMFAKey))
    }
}

extension IntegrationTests.PostgresTests {
    /// Contract §9: a step's code is accepted once per user across instances.
    @Test func twoDaemonsOnOneDatabaseAcceptACodeOnce() async throws {
        let cluster = try PostgresCluster()
        let a = try await TestDaemon(["--database", cluster.url()])
        let b = try await TestDaemon(["--database", cluster.url()])
        let user = try await IntegrationTests.MFATests.enroll(try a.client(), "everywhere")
        try await IntegrationTests.MFATests.awayFromAStepBoundary()
        let code = try IntegrationTests.MFATests.codes(user.secret, [1])[0]
        let clients = try (0..<10).map { n in try (n % 2 == 0 ? a : b).client() }
        let tokens = try (0..<10).map { n in
            try IntegrationTests.MFATests.passwordStep(try (n % 2 == 0 ? b : a).client(), "everywhere", client: IntegrationTests.MFATests.client(n))
        }
        #expect(try IntegrationTests.MFATests.race(code, tokens, clients) == 1)
    }
}

extension Data {
    init?(hexString: String) {
        var bytes = [UInt8]()
        var chars = hexString.makeIterator()
        while let h = chars.next(), let l = chars.next() {
            guard let byte = UInt8(String([h, l]), radix: 16) else { return nil }
            bytes.append(byte)
        }
        self.init(bytes)
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard !subsequence.isEmpty, subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
