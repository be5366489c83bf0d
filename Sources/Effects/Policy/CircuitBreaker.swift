import ComfyCore

/// Stops a client from hammering a server that keeps failing: after `threshold`
/// failures in a row it opens for `coolDown` (no attempts); then it is half-open: one
/// probe (`GET /system_stats`) closes it again or reopens it.
public struct CircuitBreaker: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        public var threshold = 5
        public var coolDown: Duration = .seconds(60)
        public init(threshold: Int = 5, coolDown: Duration = .seconds(60)) {
            self.threshold = threshold
            self.coolDown = coolDown
        }
    }

    public let policy: Policy
    public private(set) var state = BreakerState.closed
    public private(set) var failures = 0
    /// While open: when the cool-down ends, in seconds on the client's clock.
    public private(set) var openUntil: Double?

    public init(policy: Policy = Policy()) { self.policy = policy }

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

extension Duration {
    /// This duration in seconds, as a `Double`.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
