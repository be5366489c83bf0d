import CustomDump
@testable import ComfyCore
import Testing

/// The rules the reducer encodes about the real server, each on a minimal sequence.
@Suite struct ReducerRulesTests {
    let me = "me0000000000000000000000000000001"
    let pid = "aaaaaaaa-0000-4000-8000-000000000001"

    func at(_ s: Double) -> Timestamp { Timestamp(seconds: s) }
    func server(_ s: Double, _ m: ServerMessage) -> ComfyAction { ComfyAction(at: at(s), .server(m)) }
    func http(_ s: Double, _ r: HTTPResult) -> ComfyAction { ComfyAction(at: at(s), .http(r)) }

    /// Connected as `me`, negotiated previews.
    func connected() -> AppState {
        var state = AppState()
        state.apply(ComfyAction(at: at(0), .connection(.opened(socket: 0, path: "/ws?clientId=\(me)", clientID: me))))
        return state
    }

    func accepted(_ id: String, number: Double = 1, nodes: Int = 2, warnings: [NodeError] = []) -> HTTPResult {
        .promptAccepted(PromptAccepted(
            promptID: id, number: number, nodeErrors: warnings,
            graph: SubmittedGraph(nodes: (1...nodes).map { (String($0), "Node\($0)") }, clientID: me)))
    }

    @Test func eventsBeforeTheHTTPAnswerAreOursAndTheAnswerDoesNotRegressThem() {
        var state = connected()
        state.apply(server(1, .executionStart(promptID: pid, timestamp: nil)))
        #expect(state.prompt(pid)?.status == .running)
        #expect(state.prompt(pid)?.owner == .ours)
        state.apply(http(2, accepted(pid, number: 7)))
        let p = state.prompt(pid)
        #expect(p?.status == .running)
        #expect(p?.number == 7)
        #expect(p?.nodeCount == 2)
    }

    @Test func acceptedWithNodeErrorsIsQueuedWithWarnings() {
        var state = connected()
        let warning = NodeError(nodeID: "3", classType: "PreviewImage", errors: [.init(type: "bad_linked_input", message: "m")])
        state.apply(http(1, accepted(pid, warnings: [warning])))
        #expect(state.prompt(pid)?.status == .queued)
        #expect(state.prompt(pid)?.warnings == [warning])
        #expect(state.log.entries.last?.level == .warning)
        #expect(state.queue.pendingIDs == [pid])
    }

    @Test func executingNullEndsAPromptWhoseOutcomeWeMissed() {
        var state = connected()
        state.apply(http(1, accepted(pid)))
        state.apply(server(2, .executing(.init(node: "1", displayNode: "1", promptID: pid))))
        let commands = state.apply(server(3, .executing(.init(node: nil, promptID: pid))))
        #expect(state.prompt(pid)?.status == .ended)
        #expect(state.nodes.byID["1"]?.state == .unknown)
        #expect(state.nodes.executing == nil)
        #expect(commands == [.fetchHistory(promptID: pid)])
    }

    @Test func terminalMessageFirstThenExecutingNullChangesNothingButAsksHistory() {
        var state = connected()
        state.apply(http(1, accepted(pid)))
        state.apply(server(2, .executionSuccess(promptID: pid, timestamp: nil)))
        var expected = state
        expected.connection.lastFrameAt = at(3)
        let commands = state.apply(server(3, .executing(.init(node: nil, promptID: pid))))
        #expect(state == expected)
        #expect(commands == [.fetchHistory(promptID: pid)])
    }

    @Test func executionBlockedIsNotFatal() {
        var state = connected()
        state.apply(server(1, .executionStart(promptID: pid, timestamp: nil)))
        state.apply(server(2, .executionError(.init(
            promptID: pid, nodeID: "4", nodeType: "Switch", exceptionType: "ExecutionBlocked",
            exceptionMessage: "Execution Blocked: nope"))))
        #expect(state.prompt(pid)?.status == .running)
        #expect(state.prompt(pid)?.error == nil)
        #expect(state.log.entries.last?.kind == "execution_blocked")
        state.apply(server(3, .executionSuccess(promptID: pid, timestamp: nil)))
        #expect(state.prompt(pid)?.status == .succeeded)
    }

    @Test func failedNodeIsMarkedByItsRealIDAndNoNodeStaysRunning() {
        var state = connected()
        state.apply(server(1, .executionStart(promptID: pid, timestamp: nil)))
        state.apply(server(2, .progressState(.init(promptID: pid, nodes: [
            .init(nodeID: "1", value: 1, max: 1, state: "finished"),
            .init(nodeID: "12.0.0.3", value: 2, max: 5, state: "running", displayNodeID: "12", parentNodeID: "12", realNodeID: "12"),
            .init(nodeID: "7", value: 0, max: 1, state: "running"),
        ]))))
        state.apply(server(3, .executionError(.init(promptID: pid, nodeID: "12", nodeType: "Loop", exceptionType: "ValueError"))))
        #expect(state.nodes.byID["12.0.0.3"]?.state == .failed)
        #expect(state.nodes.byID["7"]?.state == .interrupted)
        #expect(state.nodes.byID["1"]?.state == .finished)
        #expect(state.prompt(pid)?.error?.nodeID == "12")
    }

    @Test func broadcastProgressOfAnUnknownPromptIsObservedAndEndsWithTheQueue() {
        var state = connected()
        let other = "bbbbbbbb-0000-4000-8000-000000000002"
        state.apply(server(1, .status(.init(queueRemaining: 1))))
        state.apply(server(2, .progressState(.init(promptID: other, nodes: [.init(nodeID: "3", value: 1, max: 4, state: "running")]))))
        state.apply(server(3, .progress(.init(value: 2, max: 4, promptID: other, node: "3"))))
        #expect(state.prompt(other)?.owner == .observed)
        #expect(state.prompt(other)?.status == .running)
        #expect(state.nodes.promptID == other)
        #expect(state.progress.value == 2)
        // Legacy previews cannot be attributed to a prompt we do not own.
        state.apply(ComfyAction(at: at(3.5), .binary(.preview(.init(format: 1, image: [1])))))
        #expect(state.progress.preview?.promptID == nil)
        // Its first sign was its start.
        #expect(state.prompt(other)?.startedAt == at(2))
        // "Nothing runs": frames arrive in order, so it has ended; history tells how. The
        // state never shows a running prompt with an empty queue.
        #expect(state.apply(server(4, .status(.init(queueRemaining: 0)))) == [.fetchHistory(promptID: other)])
        #expect(state.prompt(other)?.status == .ended)
        #expect(!state.nodes.byID.values.contains { $0.state == .running })
        let commands = state.apply(http(5, .queueSnapshot(.init(running: [], pending: []))))
        #expect(state.prompt(other)?.status == .ended)
        // The first count named a prompt we did not know then: recent history says which
        // came and went (here it only learns how far the numbers go: none were known).
        #expect(commands == [.fetchRecentHistory(maxItems: 5, newerThan: nil)])
    }

    @Test func broadcastProgressTextForNodesNotInOurPromptIsIgnored() {
        var state = connected()
        state.apply(server(1, .executionStart(promptID: pid, timestamp: nil)))
        state.apply(server(2, .executing(.init(node: "2", displayNode: "2", promptID: pid))))
        state.apply(ComfyAction(at: at(3), .binary(.progressText(.init(promptID: nil, nodeID: "99", text: "someone else")))))
        #expect(state.progress.texts.isEmpty)
        state.apply(ComfyAction(at: at(4), .binary(.progressText(.init(promptID: nil, nodeID: "2", text: "mine")))))
        #expect(state.progress.texts == ["2": "mine"])
    }

    @Test func executionStartOfAnotherPromptEndsTheOneWeThoughtRunning() {
        var state = connected()
        let next = "cccccccc-0000-4000-8000-000000000003"
        state.apply(server(1, .executionStart(promptID: pid, timestamp: nil)))
        let commands = state.apply(server(2, .executionStart(promptID: next, timestamp: nil)))
        #expect(state.prompt(pid)?.status == .ended)
        #expect(state.prompt(next)?.status == .running)
        #expect(commands == [.fetchHistory(promptID: pid)])
        #expect(state.queue.runningIDs == [next])
    }

    @Test func queueSnapshotEndsWhatItNoLongerListsAndHistoryThenSaysLost() {
        var state = connected()
        state.apply(http(1, accepted(pid)))
        let commands = state.apply(http(2, .queueSnapshot(.init(running: [], pending: []))))
        #expect(state.prompt(pid)?.status == .ended)
        #expect(commands == [.fetchHistory(promptID: pid)])
        // No history: a fresh snapshot decides, and it does not list it either: lost (a restart).
        #expect(state.apply(http(3, .history(requested: pid, entries: []))) == [.fetchQueue])
        #expect(state.prompt(pid)?.status == .ended)
        state.apply(http(4, .queueSnapshot(.init(running: [], pending: []))))
        #expect(state.prompt(pid)?.status == .lost)
        #expect(state.log.entries.last?.message.contains("lost") == true)
    }

    @Test func queueSnapshotAddsObservedPromptsInRunOrder() {
        var state = connected()
        let a = QueueItem(number: 3, promptID: "a", clientID: "someone", nodeCount: 4, outputsToExecute: ["9"])
        let b = QueueItem(number: 2, promptID: "b", clientID: me, nodeCount: 1, outputsToExecute: [])
        let r = QueueItem(number: 1, promptID: "r", clientID: nil, nodeCount: 2, outputsToExecute: [])
        state.apply(http(1, .queueSnapshot(.init(running: [r], pending: [a, b]))))
        #expect(state.queue.pendingIDs == ["b", "a"])
        #expect(state.queue.runningIDs == ["r"])
        #expect(state.prompt("b")?.owner == .ours)
        #expect(state.prompt("a")?.owner == .observed)
        #expect(state.queue.remaining == 3)
    }

    @Test func historyCorrectsAnEndedPromptAndSettlesItsNodes() {
        var state = connected()
        state.apply(server(1, .executionStart(promptID: pid, timestamp: nil)))
        state.apply(server(2, .executing(.init(node: "1", displayNode: "1", promptID: pid))))
        state.apply(http(3, .queueSnapshot(.init(running: [], pending: []))))
        #expect(state.prompt(pid)?.status == .ended)
        let out = images(("a.png", "", "output"))
        state.apply(http(4, .history(requested: pid, entries: [
            HistoryEntry(promptID: pid, number: 1, clientID: me, nodeCount: 2, outcome: .success, completed: true,
                         outputs: [JSONField("1", out)]),
        ])))
        #expect(state.prompt(pid)?.status == .succeeded)
        #expect(state.prompt(pid)?.outputs == [JSONField("1", out)])
        #expect(state.prompt(pid)?.fromHistory == true)
        #expect(state.nodes.byID["1"]?.state == .finished)
    }

    @Test func terminalStatusesDoNotRegressOnLateEvents() {
        var state = connected()
        state.apply(server(1, .executionStart(promptID: pid, timestamp: nil)))
        state.apply(server(2, .executionInterrupted(.init(promptID: pid, nodeID: "1", nodeType: "X"))))
        state.apply(server(3, .progress(.init(value: 1, max: 2, promptID: pid, node: "1"))))
        state.apply(server(4, .executing(.init(node: "1", displayNode: "1", promptID: pid))))
        #expect(state.prompt(pid)?.status == .interrupted)
    }

    @Test func reconnectReplayWithoutARunningPromptIsLoggedNotInvented() {
        var state = connected()
        state.apply(server(1, .executing(.init(node: "5", promptID: nil))))
        #expect(state.queue.prompts.isEmpty)
        #expect(state.log.entries.last?.level == .warning)
    }

    @Test func userCancelPicksTheRightCall() {
        var state = connected()
        let running = "dddddddd-0000-4000-8000-000000000004"
        state.apply(http(1, accepted(pid)))
        state.apply(server(2, .executionStart(promptID: running, timestamp: nil)))
        #expect(state.apply(ComfyAction(at: at(3), .user(.cancel(promptID: pid)))) == [.deleteFromQueue([pid])])
        #expect(state.apply(ComfyAction(at: at(4), .user(.cancel(promptID: running)))) == [.interrupt(promptID: running)])
        #expect(state.apply(ComfyAction(at: at(5), .user(.interrupt(promptID: nil)))) == [.interrupt(promptID: running)])
        #expect(state.apply(ComfyAction(at: at(6), .user(.cancel(promptID: "nope")))) == [])
        #expect(state.log.entries.last?.message == "no prompt nope is known")
    }

    @Test func submitRecordsThePromptBeforeThePostAndRejectionRemovesIt() {
        var state = connected()
        // Jobs go to a server once it is resynced (what it holds is known).
        state.apply(http(0.5, .resynced(queue: .init(running: [], pending: []), history: [])))
        let graph = SubmittedGraph(nodes: [("1", "EmptyImage")], clientID: me)
        let body: JSONValue = .object(["prompt": .object([JSONField]()), "client_id": .string(me), "prompt_id": .string(pid)])
        let commands = state.apply(ComfyAction(at: at(1), .user(.submit(promptID: pid, graph: graph, body: body, front: false))))
        #expect(commands == [.postPrompt(promptID: pid, body: body)])
        #expect(state.prompt(pid)?.status == .queued)
        #expect(state.prompt(pid)?.accepted == false)
        #expect(state.queue.pendingIDs.isEmpty)  // not on the server yet
        state.apply(http(2, .promptRejected(.init(promptID: pid, status: 400, type: "prompt_no_outputs", message: "Prompt has no outputs"))))
        #expect(state.prompt(pid) == nil)
        #expect(state.queue.rejected.map(\.type) == ["prompt_no_outputs"])
    }

    @Test func negotiationNeedsBothSides() {
        var state = connected()
        state.apply(ComfyAction(at: at(1), .connection(.sent(socket: 0, type: "feature_flags", data: .object(["supports_preview_metadata": true])))))
        state.apply(server(2, .featureFlags(.object(["supports_preview_metadata": false]))))
        #expect(!state.connection.previewMetadata)
        state.apply(server(3, .featureFlags(.object(["supports_preview_metadata": true, "supports_progress_text_metadata": true]))))
        #expect(state.connection.previewMetadata)
        #expect(!state.connection.progressTextMetadata)  // we did not ask for it
    }

    @Test func malformedAndUnknownInputIsLoggedNeverDropped() {
        var state = connected()
        state.apply(FrameDecoder.decode(text: "{not json", at: at(1)))
        state.apply(FrameDecoder.decode(text: #"{"type":"display_component","data":{"node_id":"1"}}"#, at: at(2)))
        let entries = Array(state.log.entries.suffix(2))
        #expect(entries.map(\.kind) == ["protocol_error", "unknown"])
        #expect(entries[0].payload == "{not json")
        #expect(entries[1].payload == #"{"type":"display_component","data":{"node_id":"1"}}"#)
        #expect(state.connection.lastFrameAt == at(2))
    }

    @Test func theLogIsABoundedRing() {
        var state = AppState(logCapacity: 3)
        for i in 1...10 { state.apply(FrameDecoder.decode(text: "bad \(i)", at: at(Double(i)))) }
        #expect(state.log.entries.map(\.seq) == [8, 9, 10])
        #expect(state.log.total == 10)
        #expect(state.log.capacity == 3)
    }

    /// An exhaustive assertion in TCA's style: exactly these fields change, nothing else.
    @Test func executionSuccessChangesExactlyWhatItShould() {
        var state = connected()
        state.apply(http(1, accepted(pid)))
        state.apply(server(2, .executing(.init(node: "2", displayNode: "2", promptID: pid))))
        expectDifference(state) {
            state.apply(server(3, .executionSuccess(promptID: pid, timestamp: 99)))
        } changes: {
            $0.connection.lastFrameAt = at(3)
            $0.queue.prompts[pid]!.status = .succeeded
            $0.queue.prompts[pid]!.finishedAt = at(3)
            $0.nodes.byID["2"] = NodesState.Node(state: .finished, value: 1, max: 1, displayNodeID: "2")
            $0.nodes.executed = ["2"]
            $0.nodes.executing = nil
            $0.nodes.executingDisplay = nil
            $0.progress.fraction = 1
            $0.progress.etaSeconds = 0
            $0.progress.plan = nil
            $0.progress.updatedAt = at(3)
            $0.log = {
                var log = $0.log
                log.append(.info, "execution_success", "prompt aaaaaaaa succeeded", at: at(3))
                return log
            }($0)
        }
    }
}

/// A `status` frame can be older than an HTTP answer already applied (they travel on
/// different connections): it must not end a prompt the server has just accepted.
@Suite struct StaleFrameTests {
    let me = "me0000000000000000000000000000001"
    let pid = "aaaaaaaa-0000-4000-8000-000000000001"

    @Test func anOldQueueLengthOfZeroDoesNotEndAFreshlyAcceptedPrompt() {
        var state = AppState()
        state.apply(ComfyAction(at: .zero, .connection(.opened(socket: 0, path: "/ws", clientID: me))))
        state.apply(ComfyAction(at: Timestamp(seconds: 1), .http(.promptAccepted(.init(
            promptID: pid, number: 1, graph: SubmittedGraph(nodes: [("1", "X")], clientID: me))))))
        // The connect-time status, sent before the POST, arrives after its answer.
        let commands = state.apply(ComfyAction(at: Timestamp(seconds: 2), .server(.status(.init(queueRemaining: 0, sid: me)))))
        #expect(commands == [.fetchQueue])
        #expect(state.prompt(pid)?.status == .queued)
        // The snapshot (taken after the POST) lists it: nothing ends.
        #expect(state.apply(ComfyAction(at: Timestamp(seconds: 3), .http(.queueSnapshot(.init(
            running: [QueueItem(number: 1, promptID: pid, clientID: me, nodeCount: 1, outputsToExecute: [])], pending: []))))) == [])
        #expect(state.prompt(pid)?.status == .running)
    }

    @Test func aPromptEndedByAnOldFrameComesBackWhenTheQueueStillHasIt() {
        var state = AppState()
        state.apply(ComfyAction(at: .zero, .connection(.opened(socket: 0, path: "/ws", clientID: me))))
        state.apply(ComfyAction(at: Timestamp(seconds: 1), .server(.executionStart(promptID: pid, timestamp: nil))))
        // An older execution_start of another prompt, held during a resync.
        state.apply(ComfyAction(at: Timestamp(seconds: 2), .server(.executionStart(promptID: "other", timestamp: nil))))
        #expect(state.prompt(pid)?.status == .ended)
        #expect(state.apply(ComfyAction(at: Timestamp(seconds: 3), .http(.history(requested: pid, entries: [])))) == [.fetchQueue])
        state.apply(ComfyAction(at: Timestamp(seconds: 4), .http(.queueSnapshot(.init(
            running: [QueueItem(number: 1, promptID: pid, clientID: me, nodeCount: 1, outputsToExecute: [])], pending: [])))))
        #expect(state.prompt(pid)?.status == .running)  // not lost
    }
}
