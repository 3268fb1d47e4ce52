import AuthClient
import AuthInterface
import AuthJSON
import AuthTestSupport
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

        /// A session ended through one daemon, however it ends, is inactive on the other
        /// within a second (contract §7), though the other answered from memory before.
        @Test func aSessionEndedThroughOneDaemonIsInactiveOnTheOtherWithinASecond() async throws {
            let cluster = try PostgresCluster()
            let a = try await TestDaemon(["--database", cluster.url()])
            let b = try await TestDaemon(["--database", cluster.url()])
            let ca = try a.client(), cb = try b.client()
            let id = try ca.register("wanderer")
            let login = { try ca.ok(.login, ["username": "wanderer", "password": "Passw0rd!"]) }
            let (byLogout, byRevoke, byOthers, keeper) = (try login(), try login(), try login(), try login())
            for s in [byLogout, byRevoke, byOthers, keeper] { #expect(try cb.isActive(s["access_token"]!.string!)) }
            _ = try ca.ok(.logout, ["token": byLogout["access_token"]!])
            #expect(try await eventually(within: .seconds(1)) { try !cb.isActive(byLogout["access_token"]!.string!) })
            _ = try ca.ok(.sessionsRevoke, ["session_id": byRevoke["session_id"]!])
            #expect(try await eventually(within: .seconds(1)) { try !cb.isActive(byRevoke["access_token"]!.string!) })
            _ = try ca.ok(.logout, ["token": keeper["access_token"]!, "scope": "others"])
            #expect(try await eventually(within: .seconds(1)) { try !cb.isActive(byOthers["access_token"]!.string!) })
            #expect(try cb.isActive(keeper["access_token"]!.string!))
            #expect(try cb.ok(.sessionsList, ["user_id": .int(id)])["sessions"]?.array?.map { $0["id"]! } == [keeper["session_id"]!])
        }

        /// Contract §8: groups set and a disable through one daemon show in the other's
        /// `auth.verify` within a second, still answered from memory (no storage read).
        @Test func groupsAndADisableThroughOneDaemonShowOnTheOtherWithinASecondFromMemory() async throws {
            let cluster = try PostgresCluster()
            let a = try await TestDaemon(["--database", cluster.url()])
            let b = try await TestDaemon(["--database", cluster.url()])
            let ca = try a.client(), cb = try b.client()
            let id = try ca.register("member")
            let token = try ca.login("member")
            #expect(try cb.ok(.verify, ["token": .string(token)])["groups"] == [])
            _ = try ca.ok(.usersSetGroups, ["id": .int(id), "groups": ["admins", "wiki"]])
            #expect(try await eventually(within: .seconds(1)) { try cb.ok(.verify, ["token": .string(token)])["groups"] == ["admins", "wiki"] })
            let reads = "authd_pool_wait_seconds_count{pool=\"pg\"}"
            let before = try cb.metric(reads)
            for _ in 0..<20 { #expect(try cb.ok(.verify, ["token": .string(token)])["groups"] == ["admins", "wiki"]) }
            #expect(try cb.metric(reads) == before)
            _ = try ca.ok(.usersDisable, ["id": .int(id)])
            #expect(try await eventually(within: .seconds(1)) { try !cb.isActive(token) })
            #expect(try cb.metric(reads) == before)
        }

        /// Ten connections to each of two daemons present one refresh token at once: it
        /// rotates once (the session row's lock), and all twenty get the same pair.
        @Test func twoDaemonsRacingOneRefreshRotateItOnce() async throws {
            let cluster = try PostgresCluster()
            let a = try await TestDaemon(["--database", cluster.url()])
            let b = try await TestDaemon(["--database", cluster.url()])
            try a.client().register("twin")
            let login = try a.client().ok(.login, ["username": "twin", "password": "Passw0rd!"])
            _ = try SessionTests.race(login["refresh_token"]!, over: try (0..<20).map { n in try (n % 2 == 0 ? a : b).client() })
            #expect(try cluster.psql("SELECT COUNT(*) FROM refresh_tokens") == "2")
            let rotations = try [a, b].map { try $0.client().metric(#"authd_refreshes_total{outcome="rotated"}"#) ?? 0 }
            #expect(rotations.reduce(0, +) == 1)
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
            // Each pooled connection finds the outage at its next use; the first that
            // cannot be made anew tells the log.
            #expect(try await eventually(within: .seconds(20), every: .milliseconds(50)) {
                _ = try c.call(.health)
                return daemon.log.contains("lost PostgreSQL at ")
            })

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
            // The outage is one warning and its end one notice, however many requests met
            // it; the server's NOTICE lines (its migrations' "already exists") are not shown.
            let log = daemon.log
            #expect(log.components(separatedBy: "lost PostgreSQL at ").count == 2, "\(log)")
            #expect(log.components(separatedBy: "answers again").count == 2, "\(log)")
            #expect(!log.contains("NOTICE:"))
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
            let dir = makeTestDirectory()
            let socket = "\(dir)/authd.sock"
            let notify = try NotifyListener(path: "\(dir)/notify.sock")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: TestDaemon.authd)
            p.arguments = ["--socket", socket, "--database", cluster.url(), "--bcrypt-cost", "4"]
            p.environment = ["JWT_SECRET_KEY": testSecret, "PATH": "/usr/bin:/bin", "NOTIFY_SOCKET": notify.path]
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            defer {
                p.terminate()
                p.waitUntilExit()
                try? FileManager.default.removeItem(atPath: dir)
            }
            // It says it is waiting, and still is at its next attempt.
            for _ in 0..<2 {
                #expect(notify.messages(until: "STATUS=Waiting for PostgreSQL").contains { $0.contains("STATUS=Waiting for PostgreSQL") })
            }
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
            #expect(try await eventually(within: .seconds(10), every: .milliseconds(100)) { (try? c.call(.health).get()) != nil })
            // Each pooled connection finds the switch at its next use and that request gets
            // -32050, the contract's "retry later", so a client retries within a deadline;
            // any other error fails at once.
            let registered = try await eventually(within: .seconds(10), every: .milliseconds(100)) {
                switch try c.call(.register, ["username": "onfirst", "email": "onfirst@example.com", "password": "Passw0rd!"]) {
                case .success: return true
                case .failure(let error):
                    #expect(error.code == -32050, "\(error.json.text)")
                    return false
                }
            }
            #expect(registered)
            #expect(try first.psql("SELECT count(*) FROM users") == "1")
        }

        @Test func aWrongPasswordIsAClearStartupErrorWithoutThePassword() async throws {
            let cluster = try PostgresCluster(password: "right-password")
            let dir = makeTestDirectory()
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

        /// Issue #14: PostgreSQL that refuses us is permanent (78, not retried); PostgreSQL
        /// that is not there is worth trying again (75, EX_TEMPFAIL).
        @Test func aMissingDatabaseExits78AndAnUnreachableServerMakesMigrateExit75() async throws {
            let cluster = try PostgresCluster()
            let dir = makeTestDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let missing = try run(TestDaemon.authd, [
                "--socket", "\(dir)/s.sock", "--database", "postgresql://postgres@127.0.0.1:\(cluster.port)/no_such_database",
            ], environment: ["JWT_SECRET_KEY": testSecret, "PATH": "/usr/bin:/bin"])
            #expect(missing.status == 78, "\(missing.stderr)")
            #expect(missing.stderr.contains("no_such_database"))
            let port = try python("import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
            let unreachable = try run(TestDaemon.authd, ["migrate", "--database", "postgresql://postgres@127.0.0.1:\(port)/postgres"],
                                      environment: ["PATH": "/usr/bin:/bin"])
            #expect(unreachable.status == 75, "\(unreachable.stderr)")
            #expect(unreachable.stderr.contains("127.0.0.1"))
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
