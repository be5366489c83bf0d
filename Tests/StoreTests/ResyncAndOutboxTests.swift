@testable import ComfyCore
import Testing

/// Resync after a reconnect, and commands asked for while offline.
@Suite struct ResyncAndOutboxTests {
    let me = "me0000000000000000000000000000001"
    let a = "aaaaaaaa-0000-4000-8000-000000000001"
    let b = "bbbbbbbb-0000-4000-8000-000000000002"
    let c = "cccccccc-0000-4000-8000-000000000003"

    func at(_ s: Double) -> Timestamp { Timestamp(seconds: s) }
    func open(_ state: inout AppState, _ s: Double, socket: Int = 0) -> [Command] {
        state.apply(ComfyAction(at: at(s), .connection(.opened(socket: socket, path: "/ws?clientId=\(me)", clientID: me))))
    }
    func close(_ state: inout AppState, _ s: Double, socket: Int = 0) {
        state.apply(ComfyAction(at: at(s), .connection(.closed(socket: socket, code: nil, reason: "connection lost", byClient: false))))
    }
    func accepted(_ id: String, number: Double) -> ComfyAction {
        ComfyAction(at: at(number), .http(.promptAccepted(.init(
            promptID: id, number: number, graph: SubmittedGraph(nodes: [("1", "X")], clientID: me)))))
    }
    func item(_ id: String, _ number: Double) -> QueueItem {
        QueueItem(number: number, promptID: id, clientID: me, nodeCount: 1, outputsToExecute: [])
    }

    @Test func everyConnectAsksForOneResync() {
        var state = AppState()
        // A resync, and what the server can run (fetched once per server version).
        #expect(open(&state, 0) == [.resync, .fetchCapabilities])
        close(&state, 1)
        #expect(open(&state, 2, socket: 1) == [.resync, .fetchCapabilities])
    }

    @Test func resyncSettlesWhatHappenedWhileAway() {
        var state = AppState()
        _ = open(&state, 0)
        state.apply(ComfyAction(at: at(0.1), .connection(.resyncStarted)))
        state.apply(ComfyAction(at: at(0.2), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        state.apply(accepted(a, number: 1))
        state.apply(accepted(b, number: 2))
        state.apply(accepted(c, number: 3))
        state.apply(ComfyAction(at: at(4), .server(.executionStart(promptID: a, timestamp: nil))))
        state.apply(ComfyAction(at: at(4.1), .server(.executing(.init(node: "1", displayNode: "1", promptID: a)))))
        close(&state, 5)
        // Away: a finished, b failed, c is running now.
        #expect(open(&state, 9, socket: 1) == [.resync, .fetchCapabilities])
        state.apply(ComfyAction(at: at(9.1), .connection(.resyncStarted)))
        #expect(!state.connection.isOnline)
        let out = images(("a.png", "", "output"))
        let commands = state.apply(ComfyAction(at: at(9.5), .http(.resynced(
            queue: .init(running: [item(c, 3)], pending: []),
            history: [
                ResyncedHistory(promptID: a, entries: [HistoryEntry(
                    promptID: a, number: 1, clientID: me, nodeCount: 1, outcome: .success, completed: true,
                    outputs: [JSONField("1", out)])]),
                ResyncedHistory(promptID: b, entries: [HistoryEntry(
                    promptID: b, number: 2, clientID: me, nodeCount: 1, outcome: .error, completed: false, outputs: [],
                    failure: .init(promptID: b, nodeID: "1", nodeType: "X", exceptionType: "RuntimeError"))]),
                ResyncedHistory(promptID: c, entries: []),
            ]))))
        #expect(commands.isEmpty)  // everything was looked up already: nothing fetched twice
        #expect(state.prompt(a)?.status == .succeeded)
        #expect(state.prompt(a)?.outputs == [JSONField("1", out)])
        #expect(state.prompt(b)?.status == .failed)
        #expect(state.prompt(b)?.error?.exceptionType == "RuntimeError")
        #expect(state.prompt(c)?.status == .running)
        #expect(state.nodes.byID["1"]?.state == .finished)  // no phantom running node
        #expect(state.connection.isOnline)
        #expect(state.log.entries.last?.message == "resynced: 1 running, 0 pending; 2 prompt(s) finished while away")
    }

    @Test func aRestartedServerLosesWhatItHeld() {
        var state = AppState()
        _ = open(&state, 0)
        state.apply(accepted(a, number: 1))
        state.apply(ComfyAction(at: at(2), .server(.executionStart(promptID: a, timestamp: nil))))
        close(&state, 3)
        _ = open(&state, 4, socket: 1)
        state.apply(ComfyAction(at: at(4.5), .http(.resynced(
            queue: .init(running: [], pending: []), history: [ResyncedHistory(promptID: a, entries: [])]))))
        #expect(state.prompt(a)?.status == .lost)
        #expect(state.queue.unfinishedIDs.isEmpty)
    }

    @Test func commandsWaitWhileOfflineAndGoOutAfterTheResync() {
        var state = AppState()
        let graph = SubmittedGraph(nodes: [("1", "X")], clientID: me)
        let body: JSONValue = .object(["prompt_id": .string(a)])
        // Never connected: the submission waits in our own queue (not in a server's outbox:
        // the fleet sends it to whichever server can take it first).
        #expect(state.apply(ComfyAction(at: at(1), .user(.submit(promptID: a, graph: graph, body: body, front: false)))) == [])
        #expect(state.connection.outbox.isEmpty)
        #expect(state.prompt(a)?.status == .waiting)
        #expect(state.queue.waitingIDs == [a])
        #expect(open(&state, 2) == [.resync, .fetchCapabilities])
        state.apply(ComfyAction(at: at(2.1), .connection(.resyncStarted)))
        let commands = state.apply(ComfyAction(at: at(2.2), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        // Online once resynced: it goes out (and, with no queue number known yet, one
        // history entry tells how far the server's numbers have gone).
        #expect(commands == [.fetchRecentHistory(maxItems: 1, newerThan: nil), .postPrompt(promptID: a, body: body)])
        #expect(state.queue.waitingIDs.isEmpty)
        #expect(state.prompt(a)?.status == .queued)
        #expect(state.prompt(a)?.server == ServerState.defaultName)
    }

    @Test func aRetriedSubmissionThatGotThroughIsNotSentTwice() {
        var state = AppState()
        _ = open(&state, 0)
        state.apply(ComfyAction(at: at(0.5), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        let body: JSONValue = .object(["prompt_id": .string(a)])
        #expect(state.apply(ComfyAction(at: at(1), .user(.submit(
            promptID: a, graph: SubmittedGraph(nodes: [("1", "X")], clientID: me), body: body, front: false))))
            == [.postPrompt(promptID: a, body: body)])
        // The POST's answer was lost on the way back.
        state.apply(ComfyAction(at: at(2), .http(.submitFailed(promptID: a, body: body, message: "connection reset"))))
        close(&state, 2.5)
        #expect(state.connection.outbox.count == 1)
        _ = open(&state, 3, socket: 1)
        let commands = state.apply(ComfyAction(at: at(3.5), .http(.resynced(
            queue: .init(running: [], pending: [item(a, 7)]), history: [ResyncedHistory(promptID: a, entries: [])]))))
        #expect(commands == [])
        #expect(state.prompt(a)?.status == .queued)
        #expect(state.prompt(a)?.accepted == true)
        #expect(state.prompt(a)?.number == 7)
    }

    @Test func theOutboxIsBoundedAndExpires() {
        var state = AppState()
        state.connection.outboxLimit = 2
        state.connection.outboxTTL = 10
        for i in 1...3 { state.apply(ComfyAction(at: at(Double(i)), .user(.cancel(promptID: "x\(i)")))) }
        // Cancelling unknown prompts asks for nothing; use clear, which always asks.
        for i in 1...3 { state.apply(ComfyAction(at: at(Double(i)), .user(.clearQueue))) }
        #expect(state.connection.outbox.count == 2)
        #expect(state.log.entries.contains { $0.message == "outbox full: dropped clear queue" })
        _ = open(&state, 20)
        let commands = state.apply(ComfyAction(at: at(20.5), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        #expect(commands == [.fetchRecentHistory(maxItems: 1, newerThan: nil)])  // nothing from the outbox
        #expect(state.log.entries.filter { $0.message.hasSuffix("offline: dropped") }.count == 2)
    }

    @Test func framesClearAStall() {
        var state = AppState()
        _ = open(&state, 0)
        state.apply(ComfyAction(at: at(0.1), .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        state.apply(ComfyAction(at: at(40), .connection(.stalled(since: at(10)))))
        #expect(state.connection.quality == .stalled)
        state.apply(FrameDecoder.decode(text: #"{"type":"status","data":{"status":{"exec_info":{"queue_remaining":1}}}}"#, at: at(41)))
        #expect(state.connection.stalledSince == nil)
        #expect(state.connection.quality == .healthy)
    }
}
