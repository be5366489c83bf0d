@testable import ComfyCore
import Testing

@Suite struct StateDiffTests {
    @Test func aProgressTickNamesExactlyTheFieldsItChanged() throws {
        let before = try Fixture.state("success_progress", throughLine: 16)
        var after = before
        after.apply(FrameDecoder.decode(
            text: #"{"type": "progress", "data": {"value": 2, "max": 10, "prompt_id": "61c72f8c-db00-4528-8c9e-48b99686c2ff", "node": "2"}}"#,
            at: Timestamp(seconds: 0.3)))
        let lines = StateDiff.between(before, after).map { $0.rendered() }
        #expect(lines == [
            "~ connection.last_frame_at: 0.209 → 0.3",
            "~ nodes.by_id.2.value: 1 → 2",
            "~ progress.value: 1 → 2",
            // Nodes done: 0.24; it was 0.2 when node 1 finished, and a lower-bound ETA keeps it
            // at most that share (time says more: 0.29).
            "~ progress.fraction: 0.2 → 0.24",
            "~ progress.updated_at: 0.209 → 0.3",
            // Measured from the node's first tick (its start, value 0 at 0.0083).
            "~ progress.steps_per_second: 4.9826 → 6.8564",
            // The graph is not known (the transcript's prompt has no body of ours), so the
            // ETA is a lower bound: node 2's steps left at their rate — from the node's start
            // (0.0084) to its first step (0.209) before, then from its first step to its
            // second (0.3): 9 × 0.2006, then 8 × 0.091.
            "~ progress.eta_seconds: 1.8054 → 0.728",
        ])
    }

    @Test func noChangeIsNoLines() throws {
        let state = try Fixture.state("queue_many")
        #expect(StateDiff.between(state, state).isEmpty)
    }

    @Test func newPromptsAppearWholeAndLogOnlyShowsAppendedEntries() throws {
        let before = try Fixture.state("success_progress", throughLine: 5)
        let after = try Fixture.state("success_progress", throughLine: 6)
        let lines = StateDiff.between(before, after)
        #expect(lines.map(\.path) == [
            "queue.pending[0]", "queue.prompts.61c72f8c-db00-4528-8c9e-48b99686c2ff", "log[3]",
        ])
        #expect(lines[1].kind == .added)
        #expect(lines[1].new?["status"] == "queued")
    }

    @Test func everyStepOfEveryTranscriptDiffsConsistently() throws {
        // Applying the lines' new values is not possible generically, but every changed
        // state must produce at least one line, and every unchanged state none.
        for name in Fixture.all {
            var state = AppState()
            for (_, action) in try Fixture.actions(name) {
                let old = state
                state.apply(action)
                let lines = StateDiff.between(old, state)
                #expect(lines.isEmpty == (JSONWriter.string(old.json) == JSONWriter.string(state.json)), "\(name) \(action.event.summary)")
            }
        }
    }

    /// The diff's shortcuts (the node table's journal, the prompt table's, the queue's
    /// index of unfinished prompts) must give exactly what a full comparison gives: every step of every
    /// transcript, diffed once as the reducer left the states and once with the
    /// bookkeeping dropped.
    @Test func shortcutsGiveTheSameLinesAsFullComparison() throws {
        for name in Fixture.all {
            var state = AppState()
            for (_, action) in try Fixture.actions(name) {
                let old = state
                state.apply(action)
                var plainOld = old
                var plainNew = state
                plainOld.nodes.byID = old.nodes.byID
                plainNew.nodes.byID = state.nodes.byID
                plainOld.queue.dropIndexes()
                plainNew.queue.dropIndexes()
                plainOld.queue.forgetJournal()
                plainNew.queue.forgetJournal()
                #expect(StateDiff.between(old, state) == StateDiff.between(plainOld, plainNew), "\(name) \(action.event.summary)")
                #expect(state.queue.runningIDs == plainNew.queue.runningIDs)
                #expect(state.queue.pendingIDs == plainNew.queue.pendingIDs)
                #expect(state.queue.unfinishedIDs == plainNew.queue.unfinishedIDs)
            }
        }
    }

    @Test func aTickInALargeTableNamesOnlyTheNodeThatChanged() throws {
        var state = AppState()
        let id = "aaaaaaaa-0000-4000-8000-000000000001"
        state.apply(FrameDecoder.decode(text: #"{"type": "execution_start", "data": {"prompt_id": "\#(id)"}}"#, at: Timestamp(seconds: 1)))
        let nodes = (1...300).map { #""\#($0)": {"value": 0, "max": 1, "state": "\#($0 == 300 ? "running" : "finished")"}"# }
        state.apply(FrameDecoder.decode(
            text: #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {"# + nodes.joined(separator: ", ") + "}}}",
            at: Timestamp(seconds: 2)))
        let old = state
        state.apply(FrameDecoder.decode(
            text: #"{"type": "progress", "data": {"value": 3, "max": 10, "prompt_id": "\#(id)", "node": "300"}}"#,
            at: Timestamp(seconds: 3)))
        let paths = StateDiff.between(old, state).map(\.path)
        #expect(paths.filter { $0.hasPrefix("nodes.") } == ["nodes.by_id.300.value", "nodes.by_id.300.max"])
        var plainOld = old
        plainOld.nodes.byID = old.nodes.byID
        #expect(StateDiff.between(plainOld, state) == StateDiff.between(old, state))
    }
}
