import ComfyCore

/// Stops a client from hammering a server that keeps failing: after `threshold`
/// failures in a row it opens for `coolDown` (no attempts); then it is half-open: one
/// probe (`GET /system_stats`) closes it again or reopens it.
public struct CircuitBreaker: Sendable, Equatable {
    /// When the breaker opens, and for how long.
    public struct Policy: Sendable, Equatable {
        /// Failures in a row that open it.
        public var threshold = 5
        /// How long it stays open before one probe may decide.
        public var coolDown: Duration = .seconds(60)
        /// A policy: open after `threshold` failures in a row, for `coolDown`.
        public init(threshold: Int = 5, coolDown: Duration = .seconds(60)) {
            self.threshold = threshold
            self.coolDown = coolDown
        }
    }

    /// The threshold and cool-down it applies.
    public let policy: Policy
    /// `closed` (attempts go ahead), `open` (none until ``openUntil``) or `halfOpen` (one
    /// probe decides).
    public private(set) var state = BreakerState.closed
    /// Failures in a row so far; a success resets it.
    public private(set) var failures = 0
    /// While open: when the cool-down ends, in seconds on the client's clock.
    public private(set) var openUntil: Double?

    /// A closed breaker that applies `policy`.
    public init(policy: Policy = Policy()) { self.policy = policy }

    /// A successful attempt or probe: closed again, the count reset.
    public mutating func recordSuccess() {
        state = .closed
        failures = 0
        openUntil = nil
    }

    /// A failed attempt (or probe) at `now` seconds.
    public mutating func recordFailure(now: Double) {
        failures += 1
        if state == .halfOpen || failures >= policy.threshold {
            state = .open
            openUntil = now + policy.coolDown.seconds
        }
    }

    /// Opens at once (a refusal under the cool-down policy): no attempt until the
    /// cool-down ends, then one probe.
    public mutating func trip(now: Double) {
        failures = max(failures + 1, policy.threshold)
        state = .open
        openUntil = now + policy.coolDown.seconds
    }

    /// Whether an attempt may be made at `now`; moves open → half-open when the cool-down is over.
    public mutating func allowsAttempt(now: Double) -> Bool {
        switch state {
        case .closed, .halfOpen: return true
        case .open:
            guard let until = openUntil, now >= until else { return false }
            state = .halfOpen
            return true
        }
    }
}

/// Durations in seconds, as the state and the policies count them.
extension Duration {
    /// This duration in seconds, as a `Double`.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
