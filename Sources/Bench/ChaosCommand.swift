import ArgumentParser
import ComfyChaos
import Foundation
import ComfyCore

/// `comfysh-bench chaos`: the long chaos run — 200 prompts while faults strike every
/// ~2 s — and its tally. Exit status 1 when the client's state does not match the
/// server's record.
///
/// `--fleet`: the fleet's run (`FleetChaosRun`) — 200 jobs through the real `comfysh run`
/// (next to this binary) on three simulated servers, one stopped for good, one flapping,
/// one slow, while comfysh is killed (SIGKILL) twice and resumed; exit status 1 when the
/// job store does not match the servers' ledgers.
struct ChaosCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Run 200 prompts through random faults and check nothing is lost (a minute or two).")

    @Option(help: "Prompts to run.")
    var prompts = 200

    @Option(help: "Seconds between faults, on average (default: 2, or 0.2 with --short).")
    var every: Double?

    @Option(help: "The seed for the faults and prompts (a run can be repeated exactly).")
    var seed: UInt64 = 1

    @Flag(help: "Use the test's short plan (faster, smaller).")
    var short = false

    @Flag(help: "Print every fault as it strikes.")
    var verbose = false

    @Flag(help: "One JSON object with the tally as the last line.")
    var json = false

    @Flag(help: "The fleet's run: `comfysh run` with a job store on three servers (one stopped for good, one flapping, one slow), killed twice and resumed.")
    var fleet = false

    @Option(help: "With --fleet: the comfysh executable (default: next to this one).")
    var comfysh: String?

    @Option(help: "With --fleet: the first of the three servers' ports (0: ports the system picks).")
    var basePort = 18_481

    @Flag(help: "With --fleet: keep the run's folder (job store, each comfysh's output, a trace of every comfysh's log and HTTP answers) and print its path.")
    var keep = false

    func run() async throws {
        if fleet { return try await runFleet() }
        var plan = short ? ChaosPlan.short : ChaosPlan.long
        plan.prompts = prompts
        plan.seed = seed
        if let every { plan.faultEvery = .milliseconds(Int(every * 1000)) }
        let verbose = verbose
        let started = ContinuousClock.now
        let tally = try await ChaosRun(plan: plan).run { line in
            if verbose {
                let t = (ContinuousClock.now - started).components
                FileHandle.standardError.write(Data("[\(t.seconds)s] \(line)\n".utf8))
            }
        }
        for line in tally.lines { print(line) }
        if json { print(JSONWriter.string(tally.json)) }
        if !tally.passed { throw ExitCode(1) }
    }

    func runFleet() async throws {
        let binary = comfysh ?? ReplayBenchCommand.sibling("comfysh")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ValidationError("no comfysh at \(binary) (swift build -c release --scratch-path .build-bench --product comfysh)")
        }
        // --short: the plan `FleetChaosTests` runs (30 jobs, faults every ~0.4 s), with
        // release builds, to reproduce what the test finds.
        var plan = short ? FleetChaosPlan.short : FleetChaosPlan()
        if !short { plan.jobs = prompts }
        plan.seed = seed
        if !short || basePort != 18_481 { plan.basePort = basePort }
        plan.keepFolder = keep
        if let every { plan.flapEvery = .milliseconds(Int(every * 1000)) }
        let verbose = verbose
        let started = ContinuousClock.now
        let tally = try await FleetChaosRun(plan: plan, comfysh: binary).run { line in
            if verbose {
                let t = (ContinuousClock.now - started).components
                FileHandle.standardError.write(Data("[\(t.seconds)s] \(line)\n".utf8))
            }
        }
        for line in tally.lines { print(line) }
        if json { print(JSONWriter.string(tally.json)) }
        if !tally.passed { throw ExitCode(1) }
    }
}
