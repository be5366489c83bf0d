@testable import ComfyChaos
import ComfyCore
import ComfySimulator
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

/// The verdict on the simulator's ledger: twice in one life of the server is a duplicate
/// (its history knew of the first run); a run before a restart that wiped history, then
/// another after, is not (no client could have known of the first).
@Suite struct ChaosJudgeTests {
    @Test func twiceInOneLifeIsADuplicateAcrossARestartItIsNot() {
        let id = "11111111-0000-4000-8000-000000000001"
        var state = AppState()
        state.apply(ComfyAction(at: Timestamp(seconds: 0), .connection(.opened(socket: 0, path: "/ws", clientID: "c"))))
        func verdict(_ lives: [Int]) -> [String] {
            var tally = ChaosTally()
            ChaosRun.judge(ids: [id], state: state, ledger: [id: lives.map { CompletedRun(status: "success", outputs: .object([]), life: $0) }], into: &tally)
            return tally.duplicated
        }
        #expect(verdict([0]) == [])
        #expect(verdict([0, 0]) == [id])
        #expect(verdict([0, 1]) == [])
        #expect(verdict([0, 1, 1]) == [id])
    }
}
