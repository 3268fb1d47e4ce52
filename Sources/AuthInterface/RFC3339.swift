#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// RFC 3339 times in UTC, as `created_at` carries them.
public enum RFC3339 {
    /// `2026-11-28T02:51:02Z`.
    public static func format(_ date: Date) -> String {
        format(seconds: Int64(date.timeIntervalSince1970.rounded(.down)), milliseconds: nil)
    }

    /// A time in milliseconds since the epoch, with its milliseconds: `2026-11-28T02:51:02.123Z`.
    public static func format(milliseconds: Int64) -> String {
        let (seconds, ms) = floorDivision(milliseconds, 1000)
        return format(seconds: seconds, milliseconds: Int(ms))
    }

    /// Digit by digit into one buffer, the date from the day number (Hinnant's
    /// civil_from_days): every User and every session answer carries one, and
    /// interpolation or concatenation cost more than the rest of the object.
    static func format(seconds: Int64, milliseconds: Int?) -> String {
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let era = floorDivision(days + 719_468, 146_097).quotient
        let dayOfEra = days + 719_468 - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        // Years outside 0...9999 are written with as many digits as they need (none occur).
        var yearDigits = 4
        var rest = year / 10_000
        while rest > 0 { yearDigits += 1; rest /= 10 }
        let length = yearDigits + 16 + (milliseconds == nil ? 0 : 4)
        return String(unsafeUninitializedCapacity: length) { out in
            var at = 0
            func put(_ byte: UInt8) { out[at] = byte; at += 1 }
            func digits(_ n: Int64, _ width: Int) {
                var n = max(0, n)
                for k in stride(from: at + width - 1, through: at, by: -1) {
                    out[k] = UInt8(48 + n % 10)
                    n /= 10
                }
                at += width
            }
            digits(year, yearDigits); put(UInt8(ascii: "-"))
            digits(month, 2); put(UInt8(ascii: "-"))
            digits(day, 2); put(UInt8(ascii: "T"))
            digits(secondOfDay / 3600, 2); put(UInt8(ascii: ":"))
            digits(secondOfDay / 60 % 60, 2); put(UInt8(ascii: ":"))
            digits(secondOfDay % 60, 2)
            if let milliseconds {
                put(UInt8(ascii: "."))
                digits(Int64(milliseconds), 3)
            }
            put(UInt8(ascii: "Z"))
            return at
        }
    }

    /// Division rounding toward minus infinity, with a remainder that is never negative.
    private static func floorDivision(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH:MM]`; a time without an offset
    /// (as Python's `datetime.utcnow().isoformat()` writes) is taken as UTC.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var v = 0
            for k in at..<(at + count) {
                guard b[k] >= 48, b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard b.count >= 19, let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45,
              let day = digits(8, 2), b[10] == 84 || b[10] == 116 || b[10] == 32,
              let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        var offset = 0
        if i < b.count {
            if b[i] == 90 || b[i] == 122, i + 1 == b.count {
                i += 1
            } else if b[i] == 43 || b[i] == 45, let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 58,
                      let om = digits(i + 4, 2), i + 6 == b.count, oh < 24, om < 60 {
                offset = (oh * 3600 + om * 60) * (b[i] == 45 ? -1 : 1)
                i += 6
            } else {
                return nil
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        var seconds = timegm(&parts)
        // timegm rolls 31 February over into March; such a date does not exist.
        var check = tm()
        gmtime_r(&seconds, &check)
        guard check.tm_mday == Int32(day), check.tm_mon == Int32(month - 1) else { return nil }
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }
}
