@testable import ComfyCore
import Testing

/// `ComfyStore.eventBatches()` tells the same events as deriving them change by change from
/// whole states (what `updates()` does), though it keeps only what deriving needs of each
/// state before.
@Suite struct EventBatchesTests {
    /// Every recorded session, dispatched into a store with an event follower: the events of
    /// all its batches, in order, are those a deriver gives over each change's two states.
    @Test(arguments: Fixture.all)
    func theBatchesTellEveryEventOfEveryChange(_ name: String) async throws {
        let actions = try Fixture.actions(name).map(\.action)
        for progress in [false, true] {
            var deriver = ClientEvents()
            var state = AppState()
            var expected: [ClientEvent] = []
            for action in actions {
                let old = state
                _ = ComfyReducer.reduce(&state, action)
                expected += deriver.derive(Change(action: action, old: old, new: state, commands: [])).filter {
                    if case .progress = $0 { return progress }
                    return true
                }
            }

            let store = ComfyStore()
            let batches = store.eventBatches(progress: progress)
            var iterator = batches.makeAsyncIterator()
            var told: [ClientEvent] = []
            var changes = 0
            // Read between dispatches now and then, so the run has batches of several sizes.
            for (index, action) in actions.enumerated() {
                store.dispatch(action)
                if index % 7 == 3, let batch = await iterator.next() {
                    told += batch.events
                    changes += batch.changes
                    #expect(batch.state == store.state)
                }
            }
            if changes < actions.count, let batch = await iterator.next() {
                told += batch.events
                changes += batch.changes
                #expect(batch.state == store.state)
            }
            #expect(changes == actions.count)
            #expect(told == expected, "\(name), progress: \(progress)")
            #expect(store.state == state)
        }
    }

    /// One wake-up for a batch: changes dispatched before the follower reads come as one.
    @Test func changesBeforeAReadComeAsOneBatch() async throws {
        let store = ComfyStore()
        var iterator = store.eventBatches().makeAsyncIterator()
        for action in try Fixture.actions("success_progress").map(\.action) { store.dispatch(action) }
        let batch = try #require(await iterator.next())
        #expect(batch.changes == (try Fixture.actions("success_progress").count))
        #expect(batch.events.contains { if case .started = $0 { true } else { false } })
        #expect(batch.events.contains { if case .finished(let record) = $0 { record.status == .succeeded } else { false } })
    }
}
