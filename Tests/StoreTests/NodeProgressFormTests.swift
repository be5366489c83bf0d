import Testing
@testable import ComfyCore

/// `progress_state` node entries in the server's exact form are matched as runs of known
/// bytes; any other form is read field by field. Both must decode the same.
struct NodeProgressFormTests {
    static func decode(_ nodes: String) -> ComfyAction {
        FrameDecoder.decode(
            text: #"{"type": "progress_state", "data": {"prompt_id": "p", "nodes": {"# + nodes + "}}}", at: .zero)
    }

    @Test func everyFormDecodesTheSame() {
        let exact = #""7": {"value": 3.0, "max": 9.0, "state": "running", "node_id": "7", "prompt_id": "p", "display_node_id": "7", "parent_node_id": "2", "real_node_id": "7:1"}"#
        let forms = [
            // Compact separators, another key order, an extra key, escapes in a key.
            #""7":{"value":3.0,"max":9.0,"state":"running","node_id":"7","prompt_id":"p","display_node_id":"7","parent_node_id":"2","real_node_id":"7:1"}"#,
            #""7": {"max": 9.0, "value": 3.0, "state": "running", "display_node_id": "7", "real_node_id": "7:1", "parent_node_id": "2"}"#,
            #""7": {"value": 3.0, "max": 9.0, "state": "running", "node_id": "7", "prompt_id": "p", "display_node_id": "7", "parent_node_id": "2", "real_node_id": "7:1", "extra": [1]}"#,
            #""7": {"value": 3.0, "max": 9.0, "st\u0061te": "running", "node_id": "7", "prompt_id": "p", "display_node_id": "7", "parent_node_id": "2", "real_node_id": "7:1"}"#,
            #""7": {"value": 3, "max": 9, "state": "running", "node_id": 7, "prompt_id": "p", "display_node_id": 7, "parent_node_id": 2, "real_node_id": "7:1"}"#,
        ]
        let expected = Self.decode(exact)
        guard case .server(.progressState(let snapshot)) = expected.event else {
            Issue.record("not decoded: \(expected)")
            return
        }
        #expect(snapshot.nodes == [
            .init(nodeID: "7", value: 3, max: 9, state: "running", displayNodeID: "7", parentNodeID: "2", realNodeID: "7:1")
        ])
        for form in forms { #expect(Self.decode(form) == expected, "\(form)") }
    }

    @Test func anErrorInTheExactFormIsTheFieldByFieldError() {
        let broken = #""7": {"value": 3.0, "max": tru, "state": "running", "node_id": "7", "prompt_id": "p", "display_node_id": "7", "parent_node_id": null, "real_node_id": "7"}"#
        guard case .protocolError(let error) = Self.decode(broken).event else {
            Issue.record("a malformed entry was accepted")
            return
        }
        #expect(error.reason.hasPrefix("malformed progress_state frame"))
    }
}
