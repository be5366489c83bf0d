@testable import ComfyCore
import Testing

/// A shared server: prompts this client did not submit are followed too (issue 10,
/// "Observers see everything that passes through the server"), from a real recording.
@Suite struct ObserverTests {
    let anonymous = "6c89b16f-d36f-4557-ba2f-463042500866"  // no client id: its progress is broadcast
    let foreign = "58065cac-81fb-4136-b6be-c5ea50813636"  // another client's: only status counts show it

    @Test func bothOthersPromptsAppearWithTheirFinalStatus() throws {
        let state = try Fixture.state("observer_two_clients")
        for id in [anonymous, foreign] {
            let p = try #require(state.prompt(id))
            #expect(p.status == .succeeded)
            #expect(p.owner == .observed)
            #expect(p.fromHistory)
            #expect(p.outputs.count == 2)
        }
        #expect(state.prompt(foreign)?.clientID == "68ab80882460440e91b06159dfcd7d24")
        #expect(state.prompt(anonymous)?.clientID == nil)
        // Seen running through its broadcasts: it started then (its first sign).
        #expect(state.prompt(anonymous)?.startedAt == Timestamp(seconds: 0.0039))
    }

    /// Counts above what we know ask for the queue; the second listing of the same count
    /// (the worker took the next prompt, someone else's) asks again.
    @Test func statusCountsAskForTheQueue() throws {
        var state = AppState()
        var asked: [Int] = []
        for (line, action) in try Fixture.actions("observer_two_clients") {
            if state.apply(action).contains(.fetchQueue) { asked.append(line) }
        }
        #expect(asked == [7, 8, 12, 40, 44])
    }

    @Test func theForeignPromptIsKnownOnceTheQueueIsAsked() throws {
        #expect(try Fixture.state("observer_two_clients", throughLine: 12).prompt(foreign) == nil)
        let listed = try Fixture.state("observer_two_clients", throughLine: 14)
        #expect(listed.prompt(foreign)?.status == .queued)
        #expect(listed.prompt(anonymous)?.number == 3)
    }

    /// After a `status` frame, the state never shows an empty queue with a prompt running
    /// (before, a watcher was left with someone else's prompt `running` for good).
    @Test(arguments: Fixture.all) func anEmptyQueueNeverShowsARunningPrompt(name: String) throws {
        var state = AppState()
        for (line, action) in try Fixture.actions(name) {
            state.apply(action)
            guard case .server(.status) = action.event, state.queue.remaining == 0 else { continue }
            #expect(state.queue.runningIDs.isEmpty, "\(name) line \(line)")
        }
    }
}

/// Someone else's prompt that comes and goes between two looks at the queue (a cached
/// rerun takes milliseconds): the counts said it was there, the queue no longer lists it,
/// so recent history is asked, and only entries numbered above what we had seen count.
@Suite struct MissedObservedPromptTests {
    let me = "me0000000000000000000000000000001"
    let quick = "cccccccc-0000-4000-8000-000000000003"
    let old = "dddddddd-0000-4000-8000-000000000004"

    func entry(_ id: String, number: Double) -> HistoryEntry {
        HistoryEntry(promptID: id, number: number, clientID: "someoneelse", nodeCount: 3, outcome: .success, completed: true,
                     outputs: [], failure: nil, cachedNodes: [], startedMs: nil, endedMs: nil)
    }

    @Test func recentHistoryNamesAPromptTooQuickForTheQueue() {
        var state = AppState()
        let t = { (s: Double) in Timestamp(seconds: s) }
        state.apply(ComfyAction(at: t(0), .connection(.opened(socket: 0, path: "/ws", clientID: me))))
        // An idle server: the resync learns no number, so one history entry is asked for.
        #expect(state.apply(ComfyAction(at: t(0.1), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
            == [.fetchRecentHistory(maxItems: 1, newerThan: nil)])
        state.apply(ComfyAction(at: t(0.2), .http(.recentHistory(newerThan: nil, entries: [entry(old, number: 41)]))))
        #expect(state.prompt(old) == nil)  // before our time: not recorded
        #expect(state.apply(ComfyAction(at: t(1), .server(.status(.init(queueRemaining: 1))))) == [.fetchQueue])
        state.apply(ComfyAction(at: t(1.01), .server(.status(.init(queueRemaining: 0)))))
        // The queue, asked for by the first frame, is empty by now: someone's prompt was missed.
        #expect(state.apply(ComfyAction(at: t(1.2), .http(.queueSnapshot(.init(running: [], pending: []))))) == [
            .fetchRecentHistory(maxItems: 5, newerThan: 41)
        ])
        state.apply(ComfyAction(at: t(1.3), .http(.recentHistory(newerThan: 41, entries: [entry(quick, number: 42), entry(old, number: 41)]))))
        #expect(state.prompt(quick)?.status == .succeeded)
        #expect(state.prompt(quick)?.owner == .observed)
        #expect(state.prompt(old) == nil)
    }

    /// A server whose history was empty when we looked: every entry it shows later ran
    /// since, whatever its number (the watcher on a fresh server used to miss the first
    /// prompt of someone else's that came and went between two looks).
    @Test func onAServerWithNoHistoryEveryLaterEntryIsNew() {
        var state = AppState()
        let t = { (s: Double) in Timestamp(seconds: s) }
        state.apply(ComfyAction(at: t(0), .connection(.opened(socket: 0, path: "/ws", clientID: me))))
        state.apply(ComfyAction(at: t(0.1), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        state.apply(ComfyAction(at: t(0.2), .http(.recentHistory(newerThan: nil, entries: []))))
        #expect(state.apply(ComfyAction(at: t(1), .server(.status(.init(queueRemaining: 1))))) == [.fetchQueue])
        state.apply(ComfyAction(at: t(1.01), .server(.status(.init(queueRemaining: 0)))))
        #expect(state.apply(ComfyAction(at: t(1.2), .http(.queueSnapshot(.init(running: [], pending: []))))) == [
            .fetchRecentHistory(maxItems: 5, newerThan: -.infinity)
        ])
        state.apply(ComfyAction(at: t(1.3), .http(.recentHistory(newerThan: -.infinity, entries: [entry(quick, number: 0)]))))
        #expect(state.prompt(quick)?.status == .succeeded)
        #expect(state.prompt(quick)?.owner == .observed)
    }

    /// Every resync learns afresh how far the numbers go: a server that restarted numbers
    /// from zero again, and its new prompts are not taken for old ones.
    @Test func aResyncForgetsTheOldNumbers() {
        var state = AppState()
        let t = { (s: Double) in Timestamp(seconds: s) }
        state.apply(ComfyAction(at: t(0), .connection(.opened(socket: 0, path: "/ws", clientID: me))))
        state.apply(ComfyAction(at: t(0.1), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        state.apply(ComfyAction(at: t(0.2), .http(.recentHistory(newerThan: nil, entries: [entry(old, number: 41)]))))
        state.apply(ComfyAction(at: t(1), .connection(.closed(socket: 0, code: 1006, reason: "gone", byClient: false))))
        state.apply(ComfyAction(at: t(5), .connection(.opened(socket: 1, path: "/ws", clientID: me))))
        // Restarted: an empty history, so it is asked how far its numbers go again.
        #expect(state.apply(ComfyAction(at: t(5.1), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
            .contains(.fetchRecentHistory(maxItems: 1, newerThan: nil)))
        state.apply(ComfyAction(at: t(5.2), .http(.recentHistory(newerThan: nil, entries: []))))
        state.apply(ComfyAction(at: t(6), .server(.status(.init(queueRemaining: 1)))))
        state.apply(ComfyAction(at: t(6.01), .server(.status(.init(queueRemaining: 0)))))
        #expect(state.apply(ComfyAction(at: t(6.2), .http(.queueSnapshot(.init(running: [], pending: []))))) == [
            .fetchRecentHistory(maxItems: 5, newerThan: -.infinity)
        ])
        state.apply(ComfyAction(at: t(6.3), .http(.recentHistory(newerThan: -.infinity, entries: [entry(quick, number: 1)]))))
        #expect(state.prompt(quick)?.status == .succeeded)
    }
}

/// ComfyUI's socket lags behind its HTTP answers: a queue snapshot can list the next
/// prompt running while the last frames of the one before are still on their way.
@Suite struct LateFramesTests {
    @Test func framesOfAPromptTheQueueShowedGoneNeverEndTheOneRunning() throws {
        var state = AppState()
        let second = "2f81efb7-315e-4624-8fb1-deda2477fbe8"
        var seenRunning = false
        for (line, action) in try Fixture.actions("late_frames_after_queue") {
            state.apply(action)
            let status = state.prompt(second)?.status
            if status == .running { seenRunning = true }
            // Once running (the snapshot said so), never "ended" by a late frame of the first.
            #expect(!(seenRunning && status == .ended), "line \(line)")
        }
        #expect(seenRunning)
        let first = try #require(state.prompt("74d0e480-8254-4adf-b5e7-504646fb50fb"))
        #expect(first.status == .succeeded)
        #expect(first.outputs.count == 1)
        #expect(state.prompt(second)?.status == .succeeded)
        #expect(state.prompt(second)?.startedAt != nil)
        #expect(state.log.entries.filter { $0.kind == .ended }.map(\.message) == ["prompt 74d0e480 left the queue; asking history how it ended"])
    }
}
