import AuthJSON
import Testing

/// A bulk import judges hashes by their form: no row costs a hash computation,
/// whatever its cost (issue #15).
@Suite struct BulkImportHashTests {
    @Test func aThousandCost12HashesImportWithoutAHashComputation() async throws {
        let h = try await DispatcherHarness()
        // Python's bcrypt at cost 12 (its salt and digest as made at cost 4: the form is what counts).
        let cost12 = "$2b$12$qCMMl2YYs1J8CJ7KY8KW.Oa28k/6.C6TUgp30A2d3JanKugXwEFWa"
        let rows: [JSON] = (1...1000).map { n in
            ["username": .string("user\(n)"), "email": .string("user\(n)@example.com"), "password_hash": .string(cost12), "id": .int(n * 3)]
        }
        let before = h.hasher.computations
        let result = try await h.result("users.import", ["users": .array(rows)], caller: DispatcherHarness.root)
        let results = try #require(result["results"]?.array)
        #expect(results.count == 1000)
        #expect(results.last?["id"] == 3000)
        #expect(h.hasher.computations == before)
    }
}
