import Store
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
            "~ progress.fraction: 0.22 → 0.24",
            "~ progress.updated_at: 0.209 → 0.3",
            // Measured from the node's first tick (its start, value 0 at 0.0083).
            "~ progress.steps_per_second: 4.9826 → 6.8564",
            "~ progress.eta_seconds: 0.7151 → 0.9269",
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
}
