import ComfyChaos
import Foundation
import Testing

/// The fleet's chaos run, short (issue 11, "Proof"; the long one is `comfysh-bench chaos
/// --fleet`): 30 jobs through the built `comfysh run` with a job store on three simulated
/// servers — one stopped for good mid-run, one flapping, one slow — while comfysh is
/// killed with SIGKILL twice and resumed. The job store must match the servers' ledgers:
/// none lost, none completed twice, every job succeeded or failed as built to.
///
/// Disabled for now: it fails. Fixed since it was written: a job store write lost at stop,
/// and the job store falling seconds behind a busy fleet (a finished job still `running`
/// there at a SIGKILL, so run again on resume). Still open (2026-12-06, three runs): a job
/// left `running` on the flapping server until the deadline, and a job completed on the
/// doomed server just before it stopped run again on another (which comfysh may not have
/// been able to know: the verdict does not tell those apart yet). See docs/reliability.md,
/// "Chaos, fleet mode". Enable it once those are fixed.
@Suite(.timeLimit(.minutes(2)), .serialized) struct FleetChaosTests {
    @Test(.disabled("finds open fleet bugs: see docs/reliability.md, \"Chaos, fleet mode\"")) func killedTwiceWithAServerGoneAndOneFlappingEveryJobEndsOnce() async throws {
        var plan = FleetChaosPlan.short
        plan.seed = 7
        let tally = try await FleetChaosRun(plan: plan, comfysh: Subprocess.executable.path).run()
        let report = tally.lines.joined(separator: "\n")
        #expect(tally.lost.isEmpty, "\(report)")
        #expect(tally.duplicated.isEmpty, "\(report)")
        #expect(tally.wrong.isEmpty, "\(report)")
        #expect(tally.succeeded + tally.failedByDesign == plan.jobs, "\(report)")
        #expect(tally.failedByDesign == plan.jobs / plan.failEvery, "\(report)")
        // The faults struck: two kills, each followed by a resume, and the doomed server stopped.
        #expect(tally.kills.count == 2 && tally.runs == 3, "\(report)")
        #expect(tally.stoppedAt != nil, "\(report)")
        #expect(!tally.timedOut, "\(report)")  // (comfysh exits 1: the jobs built to fail failed)
        #expect(tally.passed, "\(report)")
    }
}
