@testable import ComfyCore
import Testing

/// A prompt record's lines, found field by field (`StateDiff.record`), are `JSONDiff`'s
/// lines for the two records' JSON; and the diff's table of fields is `PromptRecord.json`:
/// every record pair of every transcript and of random fleet histories.
@Suite struct RecordDiffTests {
    func check(_ old: AppState, _ new: AppState, _ what: @autoclosure () -> String) throws {
        for (id, b) in new.queue.prompts {
            let fields = StateDiff.recordFields.map { JSONField($0.key, $0.json(b)) }
            try #require(JSONValue.object(fields) == b.json, "\(what()): \(id)'s fields")
            guard let a = old.queue.prompts[id] else { continue }
            var lines: [DiffLine] = []
            StateDiff.record(a, b, at: "queue.prompts.\(id)", into: &lines)
            var full: [DiffLine] = []
            JSONDiff.diff(a.json, b.json, at: "queue.prompts.\(id)", into: &full)
            try #require(lines == full, "\(what()): \(id)")
        }
    }

    @Test func everyStepOfEveryTranscript() throws {
        for name in Fixture.all {
            var state = AppState()
            for (_, action) in try Fixture.actions(name) {
                let old = state
                state.apply(action)
                try check(old, state, "\(name) \(action.event.summary)")
            }
        }
    }

    @Test(arguments: [1, 2]) func everyStepOfARandomFleetHistory(seed: Int) throws {
        let fleet = FleetIndexTests()
        var state = AppState(servers: fleet.names)
        for name in fleet.names {
            state.apply(ComfyAction(at: fleet.at(0), server: name, .connection(.opened(socket: 1, path: "/ws", clientID: fleet.me))))
            state.apply(ComfyAction(at: fleet.at(0.1), server: name, .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        }
        var random = SplitMix64(seed: UInt64(seed))
        for step in 0..<300 {
            let action = fleet.next(state, step: step, t: 1 + Double(step), random: &random)
            let old = state
            state.apply(action)
            try check(old, state, "seed \(seed) step \(step): \(action.event.summary)")
        }
    }

    /// A record that came or went is one line, its JSON built when read.
    @Test func aRecordThatCameOrWentIsBuiltWhenRead() throws {
        let state = try Fixture.state("success_progress")
        let (id, record) = try #require(state.queue.prompts.first { _ in true })
        let added = StateDiff.wholeRecord(.added, record, at: "queue.prompts.\(id)")
        let removed = StateDiff.wholeRecord(.removed, record, at: "queue.prompts.\(id)")
        #expect(added == DiffLine(.added, "queue.prompts.\(id)", new: record.json))
        #expect(removed == DiffLine(.removed, "queue.prompts.\(id)", old: record.json))
        #expect(added.old == nil && removed.new == nil)
        #expect(added.readable() == DiffLine(.added, "queue.prompts.\(id)", new: record.json).readable())
    }
}
