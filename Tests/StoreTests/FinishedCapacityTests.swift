@testable import ComfyCore
import Testing

/// The record of finished prompts is bounded: a session that runs for days keeps the most
/// recent `QueueState.finishedCapacity` finished prompts, and every unfinished one.
@Suite struct FinishedCapacityTests {
    func id(_ n: Int) -> String { "00000000-0000-4000-8000-\(String(n + 1_000_000_000_000).suffix(12))" }

    @Test func theOldestFinishedPromptsAreForgottenAndUnfinishedOnesKept() {
        var state = AppState()
        let capacity = QueueState.finishedCapacity
        // One prompt that never finishes, seen first.
        state.apply(ComfyAction(at: Timestamp(seconds: 0), .server(.executionStart(promptID: id(0), timestamp: nil))))
        for n in 1...(capacity + 5) {
            let t = Timestamp(seconds: Double(n))
            state.apply(ComfyAction(at: t, .server(.executionStart(promptID: id(n), timestamp: nil))))
            state.apply(ComfyAction(at: t, .server(.executionSuccess(promptID: id(n), timestamp: nil))))
        }
        let finished = state.queue.prompts.values.filter { $0.status.isTerminal }
        #expect(finished.count == capacity)
        // 1…5 went first; the newest are there.
        #expect((1...5).allSatisfy { state.queue.prompts[id($0)] == nil })
        #expect(state.queue.prompts[id(capacity + 5)]?.status == .succeeded)
        #expect(state.queue.prompts[id(6)]?.status == .succeeded)
        // The unfinished one stays, however old (here: ended by the next start, asking history).
        #expect(state.queue.prompts[id(0)] != nil)
        #expect(!state.queue.prompts[id(0)]!.status.isTerminal)
    }
}
