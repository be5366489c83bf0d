import ComfyLive

/// What a chaos run does: how many prompts, how often faults strike and how long they
/// last, and the client's policies. Two presets: `.long` (the benchmark: 200 prompts,
/// a fault every ~2 s, real durations) and `.short` (the test: a few seconds).
public struct ChaosPlan: Sendable {
    /// Prompts submitted over the run; about one in `failEvery` is built to fail.
    public var prompts = 200
    public var failEvery = 10
    /// Prompts of ours at most in flight (submitted, not yet ended): submissions keep
    /// coming during faults, so some wait in the outbox, but it never overflows.
    public var inFlight = 8
    /// Node steps per prompt, and the simulator's time per step.
    public var steps = 10
    public var stepDelay: Duration = .milliseconds(25)
    /// A fault strikes every `faultEvery` (±50 %, from the seed).
    public var faultEvery: Duration = .seconds(2)
    /// How long a windowed fault (stall, 403, delayed frames, slow HTTP) lasts: between
    /// these bounds.
    public var window: ClosedRange<Double> = 0.5...3.0
    /// Latency added to each frame / HTTP answer while those faults are on.
    public var frameDelay: Duration = .milliseconds(50)
    public var httpDelay: Duration = .milliseconds(300)
    /// The client's heartbeat (a half-open stall longer than two of these is a dead peer).
    public var heartbeat: Duration = .seconds(1)
    public var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
    public var breaker = CircuitBreaker.Policy(threshold: 5, coolDown: .seconds(1))
    /// Give up waiting for the end after this long (a verdict is still printed).
    public var deadline: Duration = .seconds(600)
    public var seed: UInt64 = 1

    public init() {}

    /// The benchmark's run.
    public static var long: ChaosPlan { ChaosPlan() }

    /// The suite's run: the same faults, ten times faster, on fewer prompts.
    public static var short: ChaosPlan {
        var plan = ChaosPlan()
        plan.prompts = 30
        plan.steps = 5
        plan.stepDelay = .milliseconds(20)
        plan.faultEvery = .milliseconds(200)
        plan.window = 0.05...0.3
        plan.frameDelay = .milliseconds(10)
        plan.httpDelay = .milliseconds(40)
        plan.heartbeat = .milliseconds(250)
        plan.backoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(300))
        plan.breaker = CircuitBreaker.Policy(threshold: 5, coolDown: .milliseconds(200))
        plan.deadline = .seconds(45)
        return plan
    }
}
