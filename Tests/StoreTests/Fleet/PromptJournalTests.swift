@testable import ComfyCore
import Testing

/// The prompt table's journal (`QueueState.changedPromptIDs(since:)`): the diff, the events
/// and the job store's follower visit the records a reduction wrote instead of comparing
/// every record. Checked against the full comparison — both states with the journal and
/// every index dropped — on every step of every recorded transcript and of random fleet
/// histories (`FleetIndexTests.next`: submissions, `--front` ones joining our queue at its
/// head, jobs routed, accepted, started and ended, servers lost and back).
@Suite struct PromptJournalTests {
    /// `state` as a reader without the journal or the indexes sees it.
    func plain(_ state: AppState) -> AppState {
        var plain = state
        plain.queue.dropIndexes()
        plain.queue.forgetJournal()
        return plain
    }

    /// The journalled diff and events equal the full ones, and the journal names every
    /// record that differs.
    func check(_ old: AppState, _ new: AppState, _ what: @autoclosure () -> String) throws {
        let journalled = StateDiff.between(old, new)
        let full = StateDiff.between(plain(old), plain(new))
        try #require(journalled == full, "\(what())")
        try #require(ClientEvents.changedIDs(old.queue, new.queue) == ClientEvents.changedIDs(plain(old).queue, plain(new).queue), "\(what())")
        let ids = try #require(new.queue.changedPromptIDs(since: old.queue), "\(what()): no journal")
        let differing = Set(old.queue.prompts.keys).union(new.queue.prompts.keys).filter { old.queue.prompts[$0] != new.queue.prompts[$0] }
        try #require(differing.isSubset(of: Set(ids)), "\(what()): \(differing) not all in \(ids)")
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

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8]) func everyStepOfARandomFleetHistory(seed: Int) throws {
        let fleet = FleetIndexTests()
        var state = AppState(servers: fleet.names)
        state.apply(ComfyAction(at: fleet.at(0), .fleet(.policy(maxWaitingPerServer: 1, rerunLimit: 2))))
        for name in fleet.names {
            state.apply(ComfyAction(at: fleet.at(0), server: name, .connection(.opened(socket: 1, path: "/ws", clientID: fleet.me))))
            state.apply(ComfyAction(at: fleet.at(0.1), server: name, .http(.resynced(queue: .init(running: [], pending: []), history: []))))
            state.apply(ComfyAction(at: fleet.at(0.2), server: name, .http(.capabilities(ServerCapabilities(classes: FleetIndexTests.full)))))
        }
        var random = SplitMix64(seed: UInt64(seed))
        var waitingLines = 0
        for step in 0..<600 {
            let action = fleet.next(state, step: step, t: 1 + Double(step), random: &random)
            let old = state
            state.apply(action)
            try check(old, state, "seed \(seed) step \(step): \(action.event.summary)")
            waitingLines += StateDiff.between(old, state).filter { $0.path.hasPrefix("queue.waiting") }.count
        }
        // The histories do move our queue (joined at its end, at its head, left).
        #expect(waitingLines >= 20, "\(waitingLines) queue.waiting lines")
    }

    /// A job joining our queue at its end is one appended line; one sent from its head is
    /// the list changed (the lines a full comparison gives).
    @Test func ourQueueGrowingAndShrinking() throws {
        let fleet = FleetIndexTests()
        var state = AppState(servers: ["a"])
        state.apply(ComfyAction(at: fleet.at(0), .fleet(.policy(maxWaitingPerServer: 0, rerunLimit: 2))))
        state.apply(ComfyAction(at: fleet.at(0), server: "a", .connection(.opened(socket: 1, path: "/ws", clientID: fleet.me))))
        state.apply(ComfyAction(at: fleet.at(0.1), server: "a", .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        state.apply(ComfyAction(at: fleet.at(0.2), server: "a", .http(.capabilities(ServerCapabilities(classes: FleetIndexTests.full)))))
        state.apply(fleet.job("j0", model: nil, front: false, on: nil, t: 1))  // sent: a has room
        state.apply(fleet.job("j1", model: nil, front: false, on: nil, t: 2))
        var old = state
        state.apply(fleet.job("j2", model: nil, front: false, on: nil, t: 3))
        try check(old, state, "j2 joins")
        #expect(StateDiff.between(old, state).filter { $0.path.hasPrefix("queue.waiting") }.map { $0.rendered() } == [#"+ queue.waiting[1]: "j2""#])
        old = state
        state.apply(fleet.job("j3", model: nil, front: true, on: nil, t: 4))
        try check(old, state, "j3 joins at the head")
        #expect(StateDiff.between(old, state).filter { $0.path.hasPrefix("queue.waiting") }.map { $0.rendered() }
            == [#"~ queue.waiting: ["j1","j2"] → ["j3","j1","j2"]"#])
        state.apply(ComfyAction(at: fleet.at(5), server: "a", .server(.executionStart(promptID: "j0", timestamp: nil))))
        old = state
        state.apply(ComfyAction(at: fleet.at(6), server: "a", .server(.executionSuccess(promptID: "j0", timestamp: nil))))
        try check(old, state, "j0 ends: j3 is sent")
        #expect(StateDiff.between(old, state).filter { $0.path.hasPrefix("queue.waiting") }.map { $0.rendered() }
            == [#"~ queue.waiting: ["j3","j1","j2"] → ["j1","j2"]"#])
    }

    /// A write that no reduction journalled (a test's, through `prompts`) leaves no journal
    /// to trust: every record is compared.
    @Test func aWriteOutsideTheReducerIsNotJournalled() throws {
        var state = try Fixture.state("success_progress")
        let id = try #require(state.queue.prompts.keys.first)
        let old = state
        state.queue.prompts[id]!.label = "renamed"
        #expect(state.queue.changedPromptIDs(since: old.queue) == nil)
        #expect(StateDiff.between(old, state).map(\.path) == ["queue.prompts.\(id).label"])
        let unchanged = state
        #expect(state.queue.changedPromptIDs(since: unchanged.queue) == [])
    }

    /// The store's feed of changed prompts merges the changes a busy follower has not read
    /// into one element: it holds ids, never states.
    @Test func changesAFollowerHasNotReadAreMergedIntoOne() async throws {
        let fleet = FleetIndexTests()
        let store = ComfyStore(initialState: AppState(servers: ["a"]))
        var changes = store.promptChanges().makeAsyncIterator()
        store.dispatch(fleet.job("j1", model: nil, front: false, on: nil, t: 1))
        store.dispatch(ComfyAction(at: fleet.at(2), server: "a", .server(.status(.init(queueRemaining: 0)))))  // no prompt written
        store.dispatch(fleet.job("j2", model: nil, front: false, on: nil, t: 3))
        #expect(await changes.next() == .ids(["j1", "j2"]))
        store.dispatch(fleet.job("j3", model: nil, front: false, on: nil, t: 4))
        #expect(await changes.next() == .ids(["j3"]))
    }
}
