import Testing
@testable import ComfyCore

/// A `progress_state` snapshot is applied only where it differs from the previous one
/// when nothing else wrote the node table since (`NodesState.lastSnapshot`). Checked
/// against the full application, which a write through `byID` forces (it gives the
/// table a new version): random snapshots of a 40-node graph, with ticks, `executed`
/// and `execution_cached` frames in between, must leave both states equal at every step.
struct IncrementalSnapshotTests {
    static let id = "0b6c0000-0000-4000-8000-0000000000aa"

    static func snapshot(_ nodes: [(key: String, state: String, value: Int)]) -> String {
        let entries = nodes.map { n in
            #""\#(n.key)": {"value": \#(n.value).0, "max": 10.0, "state": "\#(n.state)", "node_id": "\#(n.key)", "prompt_id": "\#(id)", "display_node_id": "\#(n.key)", "parent_node_id": null, "real_node_id": "\#(n.key)"}"#
        }
        return #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
    }

    @Test(arguments: [1, 2, 3, 4]) func theIncrementalApplicationEqualsTheFullOne(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        var incremental = AppState()
        var full = AppState()
        var t = 0.0
        func apply(_ text: String, snapshot: Bool = false) {
            t += 0.01
            let action = FrameDecoder.decode(text: text, at: Timestamp(seconds: t))
            incremental.apply(action)
            if snapshot { full.nodes.byID = full.nodes.byID }  // forces the full application
            full.apply(action)
            #expect(incremental.nodes == full.nodes)
            // The fraction sums the table in its order, and the rebuilt table's order
            // differs: equal to the last bits.
            var a = incremental.progress
            var b = full.progress
            #expect(abs(a.fraction - b.fraction) < 1e-12)
            #expect(abs((a.etaSeconds ?? 0) - (b.etaSeconds ?? 0)) < 1e-9)
            (a.fraction, a.etaSeconds, b.fraction, b.etaSeconds) = (0, nil, 0, nil)
            #expect(a == b)
        }
        apply(#"{"type": "execution_start", "data": {"prompt_id": "\#(Self.id)", "timestamp": 1}}"#)
        var graph = (1...40).map { (key: String($0), state: "finished", value: 10) }
        for _ in 0..<300 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                // One or two entries change; sometimes a node goes pending, running, or away.
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    let i = Int.random(in: 0..<graph.count, using: &rng)
                    graph[i].state = ["finished", "running", "pending", "running"].randomElement(using: &rng)!
                    graph[i].value = Int.random(in: 0...10, using: &rng)
                }
                if Int.random(in: 0..<10, using: &rng) == 0 { graph.remove(at: Int.random(in: 0..<graph.count, using: &rng)) }
                if Int.random(in: 0..<10, using: &rng) == 0 { graph.append((String(Int.random(in: 41...60, using: &rng)), "running", 0)) }
                apply(Self.snapshot(graph), snapshot: true)
            case 5..<7:
                let key = graph.randomElement(using: &rng)!.key
                apply(#"{"type": "progress", "data": {"value": \#(Int.random(in: 0...10, using: &rng)), "max": 10, "prompt_id": "\#(Self.id)", "node": "\#(key)"}}"#)
            case 7:
                let key = graph.randomElement(using: &rng)!.key
                apply(#"{"type": "executed", "data": {"node": "\#(key)", "display_node": "\#(key)", "output": null, "prompt_id": "\#(Self.id)"}}"#)
            case 8:
                let key = graph.randomElement(using: &rng)!.key
                apply(#"{"type": "execution_cached", "data": {"nodes": ["\#(key)"], "prompt_id": "\#(Self.id)", "timestamp": 2}}"#)
            default:
                // The same snapshot again.
                apply(Self.snapshot(graph), snapshot: true)
            }
        }
        #expect(JSONWriter.string(incremental.nodes.json) == JSONWriter.string(full.nodes.json))
    }
}
