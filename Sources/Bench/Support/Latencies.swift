import Histogram

/// Latency percentiles, from an HdrHistogram (HdrHistogram/hdrhistogram-swift): values
/// recorded in nanoseconds, 1 ns to 60 s, three significant digits (every percentile is
/// within 0.1% of the exact sample value), in constant memory however many are recorded.
struct Latencies {
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)

    init() {}

    /// A histogram of `samples`, in microseconds (negative ones count as 0).
    init(microseconds samples: [Double]) {
        for sample in samples { record(microseconds: sample) }
    }

    mutating func record(microseconds: Double) {
        let ns = UInt64(Swift.max(0, Swift.min(microseconds * 1000, 60e9)).rounded())
        _ = histogram.record(ns)
    }

    var count: UInt64 { histogram.totalCount }

    /// The value at `p` percent (0…100), in microseconds; nil when nothing was recorded.
    func percentile(_ p: Double) -> Double? {
        count == 0 ? nil : Double(histogram.valueAtPercentile(p)) / 1000
    }

    /// The largest value recorded, in microseconds.
    var max: Double? { count == 0 ? nil : Double(histogram.max) / 1000 }
}
