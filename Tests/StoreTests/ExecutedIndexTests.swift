import Testing
@testable import ComfyCore

/// Marking a large snapshot's finished nodes as executed goes through a set kept between
/// snapshots (`NodesState.doneIndex`): every other write to the executed or cached list
/// must be seen by the next snapshot.
struct ExecutedIndexTests {
    static let id = "0b6c0000-0000-4000-8000-000000000001"

    static func snapshot(finished: [Int], running: Int? = nil) -> String {
        var entries = finished.map { i in
            #""\#(i)": {"value": 1.0, "max": 1.0, "state": "finished", "node_id": "\#(i)", "prompt_id": "\#(id)", "display_node_id": "\#(i)", "parent_node_id": null, "real_node_id": "\#(i)"}"#
        }
        if let running {
            entries.append(
                #""\#(running)": {"value": 0.0, "max": 1.0, "state": "running", "node_id": "\#(running)", "prompt_id": "\#(id)", "display_node_id": "\#(running)", "parent_node_id": null, "real_node_id": "\#(running)"}"#)
        }
        return #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
    }

    @Test func writesToTheListsBetweenSnapshotsAreSeen() {
        var state = AppState()
        var t = 0.0
        func apply(_ text: String) {
            t += 1
            state.apply(FrameDecoder.decode(text: text, at: Timestamp(seconds: t)))
        }
        apply(#"{"type": "execution_start", "data": {"prompt_id": "\#(Self.id)", "timestamp": 1}}"#)
        apply(Self.snapshot(finished: Array(1...20), running: 21))
        #expect(state.nodes.executed == (1...20).map(String.init))
        // An `executed` frame appends a node the next snapshot lists as finished: once only.
        apply(#"{"type": "executed", "data": {"node": "21", "display_node": "21", "output": null, "prompt_id": "\#(Self.id)"}}"#)
        apply(Self.snapshot(finished: Array(1...21), running: 22))
        #expect(state.nodes.executed == (1...21).map(String.init))
        // Nodes the cache served leave the executed list and are not marked again.
        apply(#"{"type": "execution_cached", "data": {"nodes": ["3", "22"], "prompt_id": "\#(Self.id)", "timestamp": 2}}"#)
        #expect(!state.nodes.executed.contains("3"))
        apply(Self.snapshot(finished: Array(1...23)))
        #expect(state.nodes.executed == ((1...21).filter { $0 != 3 } + [23]).map(String.init))
        // A write through the public lists is seen too.
        state.nodes.executed.removeAll { $0 == "5" }
        apply(Self.snapshot(finished: Array(1...23)))
        #expect(state.nodes.executed == ((1...21).filter { $0 != 3 && $0 != 5 } + [23, 5]).map(String.init))
    }
}
