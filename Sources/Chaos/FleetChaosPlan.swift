/// What `comfysh-bench chaos --fleet` does (issue 11, "Proof"): `jobs` jobs through a real
/// `comfysh run` (a subprocess, with a job store) on three simulated servers — one stopped
/// for good mid-run, one flapping, one slow — while comfysh itself is killed with SIGKILL
/// `kills` times and resumed with `--resume`.
public struct FleetChaosPlan: Sendable {
    public var jobs = 200
    /// About one job in `failEvery` is built to fail (`TestFail`).
    public var failEvery = 10
    /// Node steps per job, and each server's time per step.
    public var steps = 8
    public var stepDelay: Duration = .milliseconds(25)
    /// The slow server's time per step.
    public var slowStepDelay: Duration = .milliseconds(100)
    /// The servers listen on `basePort`, `basePort + 1`, `basePort + 2` (doomed, flapping,
    /// slow); 0: on ports the system picks (each keeps its own for the whole run, so every
    /// comfysh process names the same URLs either way).
    public var basePort = 18_481
    /// comfysh is killed when the servers have completed this share of the jobs (one range
    /// per kill, from the seed), and the doomed server is stopped for good at `stopAt`.
    public var killAt: [ClosedRange<Double>] = [0.15...0.3, 0.55...0.7]
    public var stopAt: ClosedRange<Double> = 0.35...0.5
    /// The flapping server: a fault every `flapEvery` (±50 %): its sockets dropped, or
    /// (one time in `refuseOneIn`) every request and upgrade refused with 503 for a window.
    public var flapEvery: Duration = .milliseconds(1_500)
    public var refuseOneIn = 3
    public var refuseWindow: ClosedRange<Double> = 0.3...1.0
    /// Give up after this long (a verdict is still printed).
    public var deadline: Duration = .seconds(900)
    public var seed: UInt64 = 1
    /// Keep the run's folder (workflows, job store, each comfysh's output) for a post-mortem.
    public var keepFolder = false

    public init() {}

    /// A run of a few seconds for the tests: 30 short jobs, faults every ~400 ms, ports
    /// picked by the system.
    public static var short: FleetChaosPlan {
        var plan = FleetChaosPlan()
        plan.jobs = 30
        plan.steps = 4
        plan.stepDelay = .milliseconds(40)
        plan.slowStepDelay = .milliseconds(160)
        plan.flapEvery = .milliseconds(400)
        plan.refuseWindow = 0.1...0.3
        plan.basePort = 0
        plan.deadline = .seconds(90)
        return plan
    }
}
