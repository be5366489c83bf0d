import ComfyChaos
import Foundation
import Testing

/// The chaos run, short: 30 prompts through drops, half-open stalls, restarts with an
/// empty queue, malformed frames, delayed frames, a 403 window and slow HTTP striking at
/// random every ~200 ms. The client's final state must equal the simulator's record:
/// nothing lost, nothing run twice, nothing left running, no reconnect storm.
@Suite(.timeLimit(.minutes(1))) struct ChaosTests {
    @Test(arguments: [UInt64(1), 2])
    func nothingIsLostDuplicatedOrStuck(seed: UInt64) async throws {
        var plan = ChaosPlan.short
        plan.seed = seed
        let tally = try await ChaosRun(plan: plan).run()
        let report = tally.lines.joined(separator: "\n")
        #expect(tally.lost.isEmpty, "\(report)")
        #expect(tally.duplicated.isEmpty, "\(report)")
        #expect(tally.stuckPrompts.isEmpty && tally.stuckNodes == 0, "\(report)")
        #expect(tally.mismatches.isEmpty, "\(report)")
        #expect(tally.maxAttemptsPerSecond <= ChaosTally.stormAttemptsPerSecond, "\(report)")
        #expect(tally.succeeded + tally.failed == plan.prompts, "\(report)")
        // The faults really struck, and the client really went through reconnects.
        #expect(tally.faults.values.reduce(0, +) >= 5, "\(report)")
        #expect(tally.connects >= 2, "\(report)")
    }
}
