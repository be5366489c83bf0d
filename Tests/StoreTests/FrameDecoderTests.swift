@testable import ComfyCore
import Testing

/// The text-frame decoder, message type by message type, on the server's real shapes
/// (", " and ": " separators, as recorded) and on everything it must tolerate.
@Suite struct FrameDecoderTests {
    let t = Timestamp(seconds: 1.5)

    func decode(_ text: String) -> Event { FrameDecoder.decode(text: text, at: t).event }

    @Test func statusWithAndWithoutSid() {
        #expect(decode(#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 2}}, "sid": "abc"}}"#)
            == .server(.status(.init(queueRemaining: 2, sid: "abc"))))
        #expect(decode(#"{"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}}}"#)
            == .server(.status(.init(queueRemaining: 0, sid: nil))))
        // The frontend's schema tolerates a null status.
        #expect(decode(#"{"type":"status","data":{"status":null}}"#) == .server(.status(.init(queueRemaining: nil))))
    }

    @Test func actionCarriesItsTime() {
        #expect(FrameDecoder.decode(text: #"{"type":"status","data":{}}"#, at: t).at == t)
    }

    @Test func featureFlagsAreKeptAsAnOpenDictionary() {
        let event = decode(#"{"type": "feature_flags", "data": {"supports_preview_metadata": true, "max_upload_size": 104857600.0, "extension": {"manager": {"supports_v4": true}}}}"#)
        guard case .server(.featureFlags(let flags)) = event else { Issue.record("\(event)"); return }
        #expect(flags["supports_preview_metadata"] == .bool(true))
        #expect(flags["max_upload_size"] == .number(104_857_600))
        #expect(flags["extension"]?["manager"]?["supports_v4"] == .bool(true))
    }

    @Test func executionLifecycleMessages() {
        #expect(decode(#"{"type": "execution_start", "data": {"prompt_id": "p1", "timestamp": 1795849550273}}"#)
            == .server(.executionStart(promptID: "p1", timestamp: 1_795_849_550_273)))
        #expect(decode(#"{"type": "execution_cached", "data": {"nodes": ["1", "2"], "prompt_id": "p1", "timestamp": 5}}"#)
            == .server(.executionCached(promptID: "p1", nodes: ["1", "2"], timestamp: 5)))
        #expect(decode(#"{"type": "execution_success", "data": {"prompt_id": "p1", "timestamp": 7}}"#)
            == .server(.executionSuccess(promptID: "p1", timestamp: 7)))
    }

    @Test func executingInItsThreeForms() {
        #expect(decode(#"{"type": "executing", "data": {"node": "2", "display_node": "2", "prompt_id": "p1"}}"#)
            == .server(.executing(.init(node: "2", displayNode: "2", promptID: "p1"))))
        #expect(decode(#"{"type": "executing", "data": {"node": null, "prompt_id": "p1"}}"#)
            == .server(.executing(.init(node: nil, promptID: "p1"))))
        let replay = decode(#"{"type": "executing", "data": {"node": "2"}}"#)
        #expect(replay == .server(.executing(.init(node: "2", promptID: nil))))
        if case .server(.executing(let e)) = replay { #expect(e.isReconnectReplay) }
    }

    @Test func progressAcceptsIntegersFloatsAndNumericNodeIds() {
        #expect(decode(#"{"type": "progress", "data": {"value": 3, "max": 10, "prompt_id": "p1", "node": "2"}}"#)
            == .server(.progress(.init(value: 3, max: 10, promptID: "p1", node: "2"))))
        #expect(decode(#"{"type":"progress","data":{"value":3.5,"max":1e1,"prompt_id":null,"node":7}}"#)
            == .server(.progress(.init(value: 3.5, max: 10, promptID: nil, node: "7"))))
    }

    @Test func progressStateKeepsEveryNodeInOrder() {
        let text = #"{"type": "progress_state", "data": {"prompt_id": "p1", "nodes": {"1": {"value": 1.0, "max": 1.0, "state": "finished", "node_id": "1", "prompt_id": "p1", "display_node_id": "1", "parent_node_id": null, "real_node_id": "1"}, "12.0.0.3": {"value": 7, "max": 20, "state": "running", "node_id": "12.0.0.3", "prompt_id": "p1", "display_node_id": "12", "parent_node_id": "12", "real_node_id": "12", "activity": "loading"}}}}"#
        #expect(decode(text) == .server(.progressState(.init(promptID: "p1", nodes: [
            .init(nodeID: "1", value: 1, max: 1, state: "finished", displayNodeID: "1", parentNodeID: nil, realNodeID: "1"),
            .init(nodeID: "12.0.0.3", value: 7, max: 20, state: "running", displayNodeID: "12", parentNodeID: "12", realNodeID: "12"),
        ]))))
    }

    @Test func executedKeepsTheOutputWholeOrNull() {
        let event = decode(#"{"type": "executed", "data": {"node": "9", "display_node": "9", "output": {"images": [{"filename": "a.png", "subfolder": "", "type": "output"}], "text": ["hi"]}, "prompt_id": "p1"}}"#)
        guard case .server(.executed(let e)) = event else { Issue.record("\(event)"); return }
        #expect(e.node == "9" && e.promptID == "p1")
        #expect(e.output["text"] == ["hi"])
        #expect(e.output["images"]?.arrayValue?.first?["filename"] == "a.png")
        #expect(decode(#"{"type":"executed","data":{"node":"4","display_node":"4","output":null,"prompt_id":"p1"}}"#)
            == .server(.executed(.init(node: "4", displayNode: "4", output: .null, promptID: "p1"))))
    }

    @Test func executionErrorWithPythonNaNInInputs() {
        let text = #"{"type": "execution_error", "data": {"prompt_id": "p1", "node_id": "2", "node_type": "TestFail", "executed": ["1"], "exception_message": "boom\n", "exception_type": "RuntimeError", "traceback": ["  File \"x.py\", line 1\n"], "current_inputs": {"seed": [42], "cfg": [NaN], "big": [Infinity], "small": [-Infinity]}, "current_outputs": ["1", "2"], "timestamp": 9}}"#
        guard case .server(.executionError(let f)) = decode(text) else { Issue.record("not decoded"); return }
        #expect(f.promptID == "p1" && f.nodeID == "2" && f.nodeType == "TestFail")
        #expect(f.executed == ["1"])
        #expect(f.exceptionType == "RuntimeError" && f.exceptionMessage == "boom\n")
        #expect(f.traceback == ["  File \"x.py\", line 1\n"])
        #expect(f.currentInputs["seed"] == [42])
        #expect(f.currentInputs["cfg"]?.arrayValue?.first?.doubleValue?.isNaN == true)
        #expect(f.currentInputs["big"] == [.number(.infinity)])
        #expect(f.currentInputs["small"] == [.number(-.infinity)])
        #expect(f.timestamp == 9)
        #expect(!f.isExecutionBlocked)
    }

    @Test func executionInterruptedHasNoExceptionFields() {
        #expect(decode(#"{"type": "execution_interrupted", "data": {"prompt_id": "p1", "node_id": "2", "node_type": "TestSleep", "executed": ["1"], "timestamp": 3}}"#)
            == .server(.executionInterrupted(.init(promptID: "p1", nodeID: "2", nodeType: "TestSleep", executed: ["1"], timestamp: 3))))
    }

    @Test func logsEntries() {
        #expect(decode(#"{"type": "logs", "data": {"entries": [{"t": "2026-11-28T10:00:00.1", "m": "loaded\n"}], "size": {"cols": 80, "rows": 24}}}"#)
            == .server(.logs(.init(entries: [.init(time: "2026-11-28T10:00:00.1", message: "loaded\n")]))))
    }

    @Test func unknownTypesAreKeptWithTheirPayload() {
        let text = #"{"type": "crystools.monitor", "data": {"cpu_utilization": 12.5}}"#
        #expect(decode(text) == .unknown(type: "crystools.monitor", payload: text))
        let asset = #"{"type":"assets.seed.paused","data":{}}"#
        #expect(decode(asset) == .unknown(type: "assets.seed.paused", payload: asset))
    }

    @Test func dataBeforeTypeAndExtraFieldsAreFine() {
        #expect(decode(#"{"data": {"value": 1, "max": 2, "prompt_id": "p", "node": "3", "extra": [1, {"a": null}]}, "type": "progress", "v": 2}"#)
            == .server(.progress(.init(value: 1, max: 2, promptID: "p", node: "3"))))
    }

    @Test func escapedStringsAreDecoded() {
        #expect(decode(#"{"type":"execution_start","data":{"prompt_id":"a\"b\\c\u00e9\ud83d\ude00"}}"#)
            == .server(.executionStart(promptID: "a\"b\\cé😀", timestamp: nil)))
    }

    @Test(arguments: [
        ("", "a text frame must be a JSON object"),
        ("[1,2]", "a text frame must be a JSON object"),
        ("{\"data\": {}}", "frame has no \"type\""),
        ("{\"type\": 5, \"data\": {}}", "\"type\" is not a string"),
        ("{\"type\": \"progress\", \"data\": {\"max\": 2}}", "progress without value"),
        ("{\"type\": \"progress\"}", "progress frame has no \"data\""),
        ("{\"type\": \"execution_start\", \"data\": {}}", "execution_start without prompt_id"),
        ("{\"type\": \"executed\", \"data\": {\"node\": \"1\"}}", "executed without prompt_id"),
        ("{\"type\": \"progress\", \"data\": {\"value\": \"1\", \"max\": 2}}", "expected a number"),
        ("{\"type\": \"status\", \"data\": {\"status\": {\"exec_info\": {\"queue_remaining\": 1}}}", "unterminated object"),
        ("{\"type\": \"status\", \"data\": {}} trailing", "trailing data"),
        ("{\"type\": \"executing\", \"data\": {}}", "executing without node and prompt_id"),
    ])
    func malformedFramesBecomeProtocolErrorsWithAReason(text: String, reason: String) {
        guard case .protocolError(let e) = decode(text) else { Issue.record("\(text) decoded"); return }
        #expect(e.reason.contains(reason), "\(e.reason)")
        #expect(e.excerpt.count <= 201)
    }

    @Test func everyRecordedFrameDecodesWithoutError() throws {
        let (texts, _) = try Fixture.incomingFrames()
        #expect(texts.count > 300)
        for text in texts {
            let event = decode(text)
            if case .server = event { continue }
            Issue.record("not a server message: \(event)")
        }
    }
}
