/// Exponential backoff with full jitter: after the n-th failure in a row, wait a uniformly
/// random time between 0 and min(maximum, initial × 2^(n−1)). Full jitter spreads a crowd
/// of clients that lost the same server, so they do not come back in a storm.
public struct Backoff: Sendable, Equatable {
    /// The ceiling after the first failure.
    public var initial: Duration = .seconds(1)
    /// The most the ceiling grows to.
    public var maximum: Duration = .seconds(30)

    /// A backoff from `initial`, doubling up to `maximum`.
    public init(initial: Duration = .seconds(1), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The ceiling for the n-th failure in a row (n ≥ 1).
    public func ceiling(failures n: Int) -> Duration {
        guard n > 0 else { return .zero }
        var ceiling = initial
        for _ in 1..<min(n, 64) {
            ceiling *= 2
            if ceiling >= maximum { return maximum }
        }
        return min(ceiling, maximum)
    }

    /// The delay for the n-th failure in a row; `unit` is a random number in 0..<1.
    public func delay(failures n: Int, unit: Double) -> Duration {
        ceiling(failures: n) * min(max(unit, 0), 1)
    }
}
