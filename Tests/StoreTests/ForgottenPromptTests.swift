@testable import ComfyCore
import Testing

/// A restarted server forgot its queue: what happens to our prompts it no longer knows,
/// under each resubmit policy — and how prompts whose run we missed are found.
@Suite struct ForgottenPromptTests {
    let me = "me0000000000000000000000000000001"
    let a = "aaaaaaaa-0000-4000-8000-000000000001"
    let b = "bbbbbbbb-0000-4000-8000-000000000002"
    let body: JSONValue = .object(["prompt_id": "aaaaaaaa-0000-4000-8000-000000000001", "prompt": .object([:])])

    func at(_ s: Double) -> Timestamp { Timestamp(seconds: s) }

    /// Connected, resynced, with the policy set and `a` submitted and accepted as #1.
    func submitted(limit: Int) -> AppState {
        var state = AppState()
        state.apply(ComfyAction(at: at(0), .connection(.policy(resubmitLimit: limit))))
        state.apply(ComfyAction(at: at(0), .connection(.opened(socket: 0, path: "/ws?clientId=\(me)", clientID: me))))
        state.apply(ComfyAction(at: at(0.1), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        let graph = SubmittedGraph(nodes: [("1", "X")], clientID: me)
        #expect(state.apply(ComfyAction(at: at(1), .user(.submit(promptID: a, graph: graph, body: body, front: false))))
            == [.postPrompt(promptID: a, body: body)])
        state.apply(ComfyAction(at: at(1.1), .http(.promptAccepted(.init(promptID: a, number: 1, graph: graph)))))
        return state
    }

    /// The connection drops, the server comes back empty, the resync finds nothing.
    func restart(_ state: inout AppState, at s: Double, socket: Int) -> [Command] {
        state.apply(ComfyAction(at: at(s), .connection(.closed(socket: socket - 1, code: nil, reason: "lost", byClient: false))))
        state.apply(ComfyAction(at: at(s + 0.1), .connection(.opened(socket: socket, path: "/ws?clientId=\(me)", clientID: me))))
        return state.apply(ComfyAction(at: at(s + 0.2), .http(.resynced(
            queue: .init(running: [], pending: []), history: [ResyncedHistory(promptID: a, entries: [])]))))
    }

    func started(_ state: inout AppState, at s: Double) {
        state.apply(ComfyAction(at: at(s), .server(.executionStart(promptID: a, timestamp: nil))))
    }

    @Test func withoutThePolicyAForgottenPromptIsLost() {
        var state = submitted(limit: 0)
        #expect(restart(&state, at: 2, socket: 1) == [])
        #expect(state.prompt(a)?.status == .lost)
        #expect(state.prompt(a)?.resubmitted == 0)
        #expect(state.log.entries.last { $0.kind == "resync" && $0.level == .warning }?.message == "prompt aaaaaaaa is unknown to the server: lost")
    }

    @Test func aForgottenWaitingPromptIsSentAgainUnderTheSameID() {
        var state = submitted(limit: 2)
        #expect(restart(&state, at: 2, socket: 1) == [.postPrompt(promptID: a, body: body)])
        let record = state.prompt(a)
        #expect(record?.status == .queued && record?.accepted == false && record?.number == nil)
        #expect(record?.resubmitted == 1)
        #expect(state.json["queue"]?["prompts"]?[a]?["resubmitted"] == 1)
        // Forgotten again and again while it waited: it never ran, so it never counts.
        for round in 2...5 {
            state.apply(ComfyAction(at: at(Double(round) * 10), .http(.promptAccepted(.init(promptID: a, number: 1, graph: nil)))))
            #expect(restart(&state, at: Double(round) * 10 + 1, socket: round) == [.postPrompt(promptID: a, body: body)])
        }
        #expect(state.prompt(a)?.resubmitted == 5)
    }

    @Test func onceItHadStartedItIsSentAgainAtMostTheLimit() {
        var state = submitted(limit: 2)
        started(&state, at: 1.5)
        #expect(restart(&state, at: 2, socket: 1) == [.postPrompt(promptID: a, body: body)])
        state.apply(ComfyAction(at: at(3), .http(.promptAccepted(.init(promptID: a, number: 1, graph: nil)))))
        started(&state, at: 3.5)
        #expect(restart(&state, at: 4, socket: 2) == [.postPrompt(promptID: a, body: body)])
        state.apply(ComfyAction(at: at(5), .http(.promptAccepted(.init(promptID: a, number: 1, graph: nil)))))
        started(&state, at: 5.5)
        // A third time after starting: it may be what brings the server down.
        #expect(restart(&state, at: 6, socket: 3) == [])
        #expect(state.prompt(a)?.status == .lost)
        #expect(state.prompt(a)?.resubmitted == 2)
        #expect(state.nodes.byID.values.allSatisfy { $0.state != .running })
    }

    @Test func theBodyIsNeverInTheState() {
        var state = submitted(limit: 2)
        _ = restart(&state, at: 2, socket: 1)
        #expect(!JSONWriter.string(state.json).contains("\"prompt\":{}"))
    }

    @Test func aLaterPromptStartingEndsAnEarlierOneWeThoughtWaiting() {
        var state = submitted(limit: 0)
        state.apply(ComfyAction(at: at(1.2), .http(.promptAccepted(.init(
            promptID: b, number: 2, graph: SubmittedGraph(nodes: [("1", "X")], clientID: me))))))
        // Frames of a's run were lost; b starts: a has left the queue.
        let commands = state.apply(ComfyAction(at: at(2), .server(.executionStart(promptID: b, timestamp: nil))))
        #expect(commands == [.fetchHistory(promptID: a)])
        #expect(state.prompt(a)?.status == .ended)
        #expect(state.prompt(b)?.status == .running)
    }

    @Test func aQueueShorterThanOursAsksTheServer() {
        var state = submitted(limit: 0)
        // One of ours is waiting, but the server says nothing is: ask.
        #expect(state.apply(ComfyAction(at: at(2), .server(.status(.init(queueRemaining: 0, sid: nil))))) == [.fetchQueue])
        // More than we know of: other clients' prompts; the queue says whose (issue 10's observers).
        #expect(state.apply(ComfyAction(at: at(3), .server(.status(.init(queueRemaining: 3, sid: nil))))) == [.fetchQueue])
    }
}
