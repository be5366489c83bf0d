@testable import ComfyCore
import Testing

/// History entries missing fields (older servers wrote no `status`; a proxy or a plugin can
/// strip more): the decoder keeps what is there without guessing, and the reducer loses
/// nothing — the outputs the events gave stay, and a prompt history still has is never `lost`.
@Suite struct HistoryEntryFieldsTests {
    let me = "me0000000000000000000000000000001"
    let pid = "aaaaaaaa-0000-4000-8000-000000000001"
    let image = #"{"images": [{"filename": "a.png", "subfolder": "", "type": "output"}]}"#

    func frame(_ t: Double, _ text: String) -> ComfyAction { FrameDecoder.decode(text: text, at: Timestamp(seconds: t)) }

    func history(_ t: Double, _ entry: String) throws -> ComfyAction {
        let response = try JSONValue.parse(Array(#"{"\#(pid)": \#(entry)}"#.utf8))
        return ComfyAction(at: Timestamp(seconds: t), .http(HTTPResultDecoder.decode(
            method: "GET", path: "/api/history/\(pid)", status: 200, request: nil, response: response)))
    }

    func entry(_ text: String) throws -> HistoryEntry? {
        HTTPResultDecoder.historyEntry(id: pid, try JSONValue.parse(Array(text.utf8)))
    }

    /// Ours, running; node 3 has given its output (`a.png`).
    func runningWithAnOutput() -> AppState {
        var state = AppState()
        state.apply(ComfyAction(at: .zero, .connection(.opened(socket: 0, path: "/ws?clientId=\(me)", clientID: me))))
        state.apply(frame(1, #"{"type": "execution_start", "data": {"prompt_id": "\#(pid)"}}"#))
        state.apply(frame(2, #"{"type": "executed", "data": {"node": "3", "display_node": "3", "output": \#(image), "prompt_id": "\#(pid)"}}"#))
        return state
    }

    /// …then `executing null` with no outcome: `ended`, and history is asked.
    func endedWithAnOutput() -> AppState {
        var state = runningWithAnOutput()
        state.apply(frame(3, #"{"type": "executing", "data": {"node": null, "prompt_id": "\#(pid)"}}"#))
        return state
    }

    @Test func theDecoderKeepsWhatAnEntryHasAndGuessesNothing() throws {
        let noStatus = try #require(try entry(#"{"prompt": [4, "\#(pid)", {}, {"client_id": "c"}, []], "outputs": {"3": \#(image)}}"#))
        #expect(noStatus.outcome == nil && noStatus.number == 4 && noStatus.clientID == "c" && noStatus.outputs?.map(\.key) == ["3"])
        let unknownStatus = try #require(try entry(#"{"status": {"status_str": "weird"}, "outputs": {}}"#))
        #expect(unknownStatus.outcome == nil && unknownStatus.outputs == [])
        let noOutputs = try #require(try entry(#"{"status": {"status_str": "success", "completed": true}}"#))
        #expect(noOutputs.outcome == .success && noOutputs.outputs == nil && noOutputs.number == nil)
        let noMessages = try #require(try entry(#"{"status": {"status_str": "error", "completed": false}, "outputs": {}}"#))
        #expect(noMessages.outcome == .error && noMessages.failure == nil)
        #expect(try entry(#"[1, 2]"#) == nil)
    }

    @Test func anEntryWithoutStatusKeepsThePromptEndedConfirmedAndNotLost() throws {
        var state = endedWithAnOutput()
        #expect(state.prompt(pid)?.status == .ended)
        let commands = state.apply(try history(4, #"{"prompt": [0, "\#(pid)", {}, {"client_id": "\#(me)"}, ["3"]], "outputs": {"3": \#(image)}, "meta": {}}"#))
        let record = try #require(state.prompt(pid))
        #expect(record.status == .ended && record.fromHistory && record.number == 0)
        #expect(record.outputs.map(\.key) == ["3"])
        #expect(commands.isEmpty)
        #expect(state.log.entries.last?.message == "prompt aaaaaaaa: history has it but does not say how it ended (no status)")
        #expect(state.log.entries.last?.level == .warning)
        // A later snapshot without it does not make it lost: history has it.
        state.apply(ComfyAction(at: Timestamp(seconds: 5), .http(.queueSnapshot(QueueSnapshot(running: [], pending: [])))))
        #expect(state.prompt(pid)?.status == .ended)
    }

    @Test func anEntryWithoutOutputsKeepsTheOutputsTheEventsGave() throws {
        var state = endedWithAnOutput()
        state.apply(try history(4, #"{"status": {"status_str": "success", "completed": true, "messages": []}}"#))
        let record = try #require(state.prompt(pid))
        #expect(record.status == .succeeded && record.fromHistory)
        #expect(record.outputs == [JSONField("3", try JSONValue.parse(Array(image.utf8)))])
    }

    @Test func aResyncFindingAnEntryWithoutStatusEndsARunningPromptNotLosesIt() throws {
        var state = runningWithAnOutput()
        #expect(state.prompt(pid)?.status == .running)
        let entry = try #require(try entry(#"{"meta": {}}"#))  // neither status nor outputs
        state.apply(ComfyAction(at: Timestamp(seconds: 6), .http(.resynced(
            queue: QueueSnapshot(running: [], pending: []), history: [ResyncedHistory(promptID: pid, entries: [entry])]))))
        let record = try #require(state.prompt(pid))
        #expect(record.status == .ended && record.fromHistory && record.finishedAt == Timestamp(seconds: 6))
        #expect(record.outputs.map(\.key) == ["3"])
        #expect(!state.log.entries.contains { $0.message.hasSuffix("is unknown to the server: lost") })
    }
}
