#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The `Date` header's value (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`),
/// formatted again only when the second changes, not on every response.
enum HTTPDate {
    static func now() -> String {
        let now = time(nil)
        if let text = last.withLock({ $0.second == now ? $0.text : nil }) { return text }
        let text = format(now)
        last.withLock { $0 = (now, text) }
        return text
    }

    /// strftime's `%a` and `%b` are English in the C locale, which the gateway never leaves.
    static func format(_ second: time_t) -> String {
        var clock = second
        var parts = tm()
        var buffer = [CChar](repeating: 0, count: 40)
        guard gmtime_r(&clock, &parts) != nil else { return "" }
        let length = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static let last = Mutex<(second: time_t, text: String)>((-1, ""))
}
