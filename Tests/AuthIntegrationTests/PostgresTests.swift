import AuthClient
import AuthInterface
import AuthJSON
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension IntegrationTests {
    /// What only PostgreSQL brings: several daemons on one database, outages, libpq's
    /// multi-host failover. Each test has clusters of its own to stop and start.
    @Suite(.enabled(if: PostgresCluster.isInstalled)) struct PostgresTests {
        @Test func twoDaemonsOnOneDatabaseRegisterOneNameExactlyOnce() async throws {
            let cluster = try PostgresCluster()
            let a = try await TestDaemon(["--database", cluster.url()])
            let b = try await TestDaemon(["--database", cluster.url()])
            let clients = try (0..<50).map { n in try (n % 2 == 0 ? a : b).client() }
            let (successes, conflicts) = try registerConcurrently(clients, username: "Shared")
            #expect(successes == 1)
            #expect(conflicts == 49)
        }

        /// The other daemon answers token checks from its cache, which the first one's
        /// NOTIFY corrects: normally before the next request, always within a moment.
        @Test func aLogoutThroughOneDaemonIsSeenByTheOther() async throws {
            let cluster = try PostgresCluster()
            let a = try await TestDaemon(["--database", cluster.url()])
            let b = try await TestDaemon(["--database", cluster.url()])
            let id = try a.client().register("roamer")
            let token = try a.client().login("roamer")
            #expect(try b.client().isActive(token))
            #expect(try b.client().isActive(token))
            _ = try a.client().ok(.logout, ["token": .string(token)])
            #expect(try await Self.becomesInactive(token, on: b))
            // The same for a deletion, and a user the other daemon remembered as missing.
            let second = try a.client().login("roamer")
            #expect(try b.client().isActive(second))
            _ = try a.client().ok(.usersDelete, ["id": .int(id)])
            #expect(try await Self.becomesInactive(second, on: b))
            #expect(try b.client().failure(.usersGet, ["id": .int(id + 1)]).code == -32004)
            let next = try a.client().register("roamer2")
            var found = false
            for _ in 0..<200 where !found {
                found = (try? b.client().call(.usersGet, ["id": .int(next)]).get()) != nil
                if !found { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(found)
        }

        /// Whether the token turns inactive on `daemon` within two seconds.
        static func becomesInactive(_ token: String, on daemon: TestDaemon) async throws -> Bool {
            for _ in 0..<200 {
                if try daemon.client().isActive(token) == false { return true }
                try await Task.sleep(for: .milliseconds(10))
            }
            return false
        }

        @Test func anOutageGives503AndServiceResumesByItself() async throws {
            let cluster = try PostgresCluster()
            let daemon = try await TestDaemon(["--database", cluster.url(), "--storage-timeout", "2"])
            let c = try daemon.client()
            let ids = try (0..<5).map { try c.register("durable\($0)") }
            let token = try c.login("durable0")
            #expect(try c.isActive(token))

            try cluster.stop()
            let start = ContinuousClock.now
            let during = try c.failure(.register, ["username": "lost", "email": "lost@example.com", "password": "Passw0rd!"])
            #expect(during.code == -32050)
            #expect(during.data["retry_after"] != nil)
            #expect(try c.failure(.health).code == -32050)
            #expect(ContinuousClock.now - start < .seconds(10))
            // A token whose state was read before the outage is still answered for.
            #expect(try c.isActive(token))

            try cluster.start()
            var healthy = false
            for _ in 0..<100 where !healthy {
                healthy = (try? c.call(.health).get()) != nil
                if !healthy { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(healthy)
            let listed = try c.ok(.usersList)["users"]?.array?.compactMap { $0["id"]?.int64 }
            #expect(listed == ids)
            try c.register("after")
            #expect(daemon.process.isRunning)
        }

        @Test func aPostgresRestartMidLoadLosesNothingAcknowledged() async throws {
            let cluster = try PostgresCluster()
            let daemon = try await TestDaemon(["--database", cluster.url(), "--storage-timeout", "2"])
            let c = try daemon.client()
            var acknowledged: [Int64] = []
            for n in 0..<60 {
                if n == 20 {
                    try cluster.stop()
                    try cluster.start()
                }
                let r = try c.call(.register, ["username": .string("load\(n)"), "email": .string("load\(n)@example.com"), "password": "Passw0rd!"])
                switch r {
                case .success(let user): acknowledged.append(user["id"]!.int64!)
                case .failure(let error): #expect(error.code == -32050)
                }
            }
            #expect(acknowledged.count >= 40)
            let stored = try cluster.psql("SELECT string_agg(id::text, ',') FROM users").split(separator: ",").compactMap { Int64($0) }
            #expect(Set(acknowledged).isSubset(of: Set(stored)))
        }

        @Test func aDaemonStartedBeforePostgresBecomesReadyByItself() async throws {
            let cluster = try PostgresCluster()
            try cluster.stop()
            let dir = TestDaemon.makeDirectory()
            let socket = "\(dir)/authd.sock"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestDaemon.authd)
            p.arguments = ["--socket", socket, "--database", cluster.url(), "--bcrypt-cost", "4"]
            p.environment = ["JWT_SECRET_KEY": testSecret, "PATH": "/usr/bin:/bin"]
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            defer {
                p.terminate()
                p.waitUntilExit()
                try? FileManager.default.removeItem(atPath: dir)
            }
            try await Task.sleep(for: .seconds(1))
            #expect(p.isRunning)
            #expect(!TestDaemon.isSocketAnswering(socket))
            try cluster.start()
            let c = try #require(await connectWhenAnswering(socket, within: .seconds(15)))
            #expect(try c.ok(.health)["status"] == "ok")
        }

        @Test func aMultiHostURLFailsOverThroughLibpq() async throws {
            let first = try PostgresCluster()
            let second = try PostgresCluster()
            let url = "postgresql://postgres@127.0.0.1:\(first.port),127.0.0.1:\(second.port)/postgres?target_session_attrs=read-write"
            // Both carry the schema, as replicas would.
            for cluster in [first, second] {
                let r = try run(TestDaemon.authd, ["migrate", "--database", cluster.url()], environment: ["PATH": "/usr/bin:/bin"])
                #expect(r.status == 0, "\(r.stderr)")
            }
            try first.stop()
            let daemon = try await TestDaemon(["--database", url, "--storage-timeout", "2"])
            let c = try daemon.client()
            #expect(try c.ok(.health)["status"] == "ok")
            try c.register("onsecond")
            #expect(try second.psql("SELECT count(*) FROM users") == "1")

            try first.start()
            try second.stop()
            var healthy = false
            for _ in 0..<100 where !healthy {
                healthy = (try? c.call(.health).get()) != nil
                if !healthy { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(healthy)
            try c.register("onfirst")
            #expect(try first.psql("SELECT count(*) FROM users") == "1")
        }

        @Test func aWrongPasswordIsAClearStartupErrorWithoutThePassword() async throws {
            let cluster = try PostgresCluster(password: "right-password")
            let dir = TestDaemon.makeDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let r = try run(TestDaemon.authd, [
                "--socket", "\(dir)/s.sock", "--database", "postgresql://postgres:Wrong-Pa55word@127.0.0.1:\(cluster.port)/postgres",
            ], environment: ["JWT_SECRET_KEY": testSecret, "PATH": "/usr/bin:/bin"])
            #expect(r.status == 78)
            #expect(r.stderr.contains("127.0.0.1"))
            #expect(r.stderr.contains("postgres"))
            #expect(r.stderr.contains("password authentication failed"))
            #expect(!r.stderr.contains("Wrong-Pa55word"))
        }

        @Test func aSchemaNewerThanTheDaemonKnowsIsRefused() async throws {
            let cluster = try PostgresCluster()
            let r = try run(TestDaemon.authd, ["migrate", "--database", cluster.url()], environment: ["PATH": "/usr/bin:/bin"])
            #expect(r.stdout.contains("schema at version"))
            try cluster.psql("INSERT INTO schema_migrations (version) VALUES (999)")
            let refused = try run(TestDaemon.authd, ["migrate", "--database", cluster.url()], environment: ["PATH": "/usr/bin:/bin"])
            #expect(refused.status == 78)
            #expect(refused.stderr.contains("newer than this authd knows"))
        }
    }
}
