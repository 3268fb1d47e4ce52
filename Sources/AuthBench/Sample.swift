import AuthJSON

/// The measured answers of one run: throughput, latency percentiles and errors.
public struct Sample: Sendable {
    public let count: Int
    public let errors: Int
    public let seconds: Double
    public let firstError: String?
    /// Latencies in nanoseconds, sorted.
    private let sorted: [UInt64]

    init(latencies: [UInt64], errors: Int, seconds: Double, firstError: String?) {
        self.sorted = latencies.sorted()
        self.count = latencies.count
        self.errors = errors
        self.seconds = seconds
        self.firstError = firstError
    }

    public var requestsPerSecond: Double { seconds > 0 ? Double(count) / seconds : 0 }

    /// The latency below which the given fraction of answers came, in microseconds.
    public func percentile(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = min(sorted.count - 1, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)
        return Double(sorted[max(0, rank)]) / 1000
    }

    public var json: JSON {
        var object: [String: JSON] = [
            "requests": .int(Int64(count)), "errors": .int(Int64(errors)), "seconds": .number(String(seconds)),
            "requests_per_second": .number(String(Int(requestsPerSecond.rounded()))),
            "p50_us": .number(String(Int(percentile(0.5)))), "p99_us": .number(String(Int(percentile(0.99)))),
            "p999_us": .number(String(Int(percentile(0.999)))),
        ]
        if let firstError { object["first_error"] = .string(firstError) }
        return .object(object)
    }
}
