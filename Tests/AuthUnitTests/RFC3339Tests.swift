import Foundation
import Testing
@testable import AuthInterface

@Suite struct RFC3339Tests {
    /// 2026-11-28T02:51:02Z.
    let known = Date(timeIntervalSince1970: 1_795_834_262)

    @Test func formatsAKnownDate() {
        #expect(RFC3339.format(known) == "2026-11-28T02:51:02Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
    }

    /// Every day from 1900 to 2200, and times across a day, as glibc's gmtime_r writes
    /// them; milliseconds with three digits, before 1970 too.
    @Test func formatsEveryDayAsGmtimeDoes() {
        func reference(_ seconds: Int) -> String {
            var t = time_t(seconds)
            var parts = tm()
            gmtime_r(&t, &parts)
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                          Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        }
        var mismatches: [String] = []
        for day in stride(from: -25_567, through: 84_000, by: 1) {
            let seconds = day * 86_400 + (day * 7_919) % 86_400
            let formatted = RFC3339.format(Date(timeIntervalSince1970: TimeInterval(seconds)))
            if formatted != reference(seconds) { mismatches.append("\(seconds): \(formatted) != \(reference(seconds))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(RFC3339.format(milliseconds: 1_795_834_262_007) == "2026-11-28T02:51:02.007Z")
        #expect(RFC3339.format(milliseconds: 1_795_834_262_999) == "2026-11-28T02:51:02.999Z")
        #expect(RFC3339.format(milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 253_402_300_799)) == "9999-12-31T23:59:59Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 253_402_300_800)) == "10000-01-01T00:00:00Z")
    }

    @Test func formatDropsFractions() {
        #expect(RFC3339.format(known.addingTimeInterval(0.999)) == "2026-11-28T02:51:02Z")
    }

    @Test func parsesZulu() {
        #expect(RFC3339.parse("2026-11-28T02:51:02Z") == known)
        #expect(RFC3339.parse("2026-11-28t02:51:02z") == known)
    }

    @Test func parsesOffsets() {
        #expect(RFC3339.parse("2026-11-28T04:51:02+02:00") == known)
        #expect(RFC3339.parse("2026-11-27T21:21:02-05:30") == known)
        #expect(RFC3339.parse("2026-11-28T02:51:02+00:00") == known)
        #expect(RFC3339.parse("2026-11-28T02:51:02-00:00") == known)
    }

    @Test func parsesFractions() throws {
        let d = try #require(RFC3339.parse("2026-11-28T02:51:02.25Z"))
        #expect(abs(d.timeIntervalSince(known) - 0.25) < 1e-6)
        let micro = try #require(RFC3339.parse("2026-11-28T02:51:02.123456"))
        #expect(abs(micro.timeIntervalSince(known) - 0.123456) < 1e-6)
        let offset = try #require(RFC3339.parse("2026-11-28T03:51:02.5+01:00"))
        #expect(abs(offset.timeIntervalSince(known) - 0.5) < 1e-6)
    }

    @Test func naiveTimeIsUTC() {
        #expect(RFC3339.parse("2026-11-28T02:51:02") == known)
    }

    @Test func spaceSeparatorIsAccepted() {
        #expect(RFC3339.parse("2026-11-28 02:51:02") == known)
        #expect(RFC3339.parse("2026-11-28 02:51:02Z") == known)
    }

    @Test func formatThenParseRoundTrips() {
        for seconds in [0, 86_399, 1_000_000_000, 1_795_834_262, 4_102_444_799] {
            let d = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(RFC3339.parse(RFC3339.format(d)) == d)
        }
    }

    @Test func rejectsDaysThatDoNotExist() {
        // timegm would quietly roll these over into the next month.
        #expect(RFC3339.parse("2026-02-29T00:00:00Z") == nil)
        #expect(RFC3339.parse("2026-02-31T00:00:00Z") == nil)
        #expect(RFC3339.parse("2026-04-31T12:00:00Z") == nil)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") == Date(timeIntervalSince1970: 1_709_164_800))
    }

    @Test func rejectsGarbage() {
        for text in ["", "garbage", "2026-11-28", "2026-11-28T02:51", "2026/11/28T02:51:02Z", "2026-11-28X02:51:02Z",
                     "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-11-32T00:00:00Z", "2026-11-28T24:00:00Z",
                     "2026-11-28T02:60:00Z", "2026-11-28T02:51:02ZZ", "2026-11-28T02:51:02+0200", "2026-11-28T02:51:02+02",
                     "2026-11-28T02:51:02.Z", "2026-11-28T02:51:02 ", "2026-11-28T02:51:02Zjunk", "２026-11-28T02:51:02Z",
                     "2026-11-28T02:51:02+24:00", "-026-11-28T02:51:02Z"] {
            #expect(RFC3339.parse(text) == nil, "\(text)")
        }
    }
}
