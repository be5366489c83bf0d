import Foundation
import ComfyCore

/// Synthetic frames for a large workflow, in the server's exact wire format (the keys and
/// spacing of the recorded `progress_state` frames): what a 500- or 1000-node graph sends.
enum LargeGraph {
    /// A prompt id in the server's format, numbered.
    static func promptID(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "0b6c0000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    /// A `progress_state` snapshot of `nodes` nodes: all but the last finished, the last
    /// running at `value` of `max` (the snapshot sent on each tick of a graph's last node).
    static func progressState(promptID: String, nodes: Int, value: Int, max: Int) -> String {
        var entries: [String] = []
        entries.reserveCapacity(nodes)
        for i in 1...nodes {
            let last = i == nodes
            let v = last ? "\(value).0" : "1.0"
            let m = last ? "\(max).0" : "1.0"
            entries.append(
                #""\#(i)": {"value": \#(v), "max": \#(m), "state": "\#(last ? "running" : "finished")", "node_id": "\#(i)", "prompt_id": "\#(promptID)", "display_node_id": "\#(i)", "parent_node_id": null, "real_node_id": "\#(i)"}"#)
        }
        return #"{"type": "progress_state", "data": {"prompt_id": "\#(promptID)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
    }

    static func executionStart(_ id: String) -> String {
        #"{"type": "execution_start", "data": {"prompt_id": "\#(id)", "timestamp": 1764400000000}}"#
    }

    static func executionSuccess(_ id: String) -> String {
        #"{"type": "execution_success", "data": {"prompt_id": "\#(id)", "timestamp": 1764400000000}}"#
    }

    static func executing(_ id: String, node: String?) -> String {
        let n = node.map { "\"\($0)\"" } ?? "null"
        return #"{"type": "executing", "data": {"node": \#(n), "display_node": \#(n), "prompt_id": "\#(id)"}}"#
    }

    static func progress(_ id: String, node: String, value: Int, max: Int) -> String {
        #"{"type": "progress", "data": {"value": \#(value), "max": \#(max), "prompt_id": "\#(id)", "node": "\#(node)"}}"#
    }

    /// A state that has seen `prompts` prompts through the reducer (all but the last
    /// finished, each with a small output) and is running the last one, whose node table
    /// holds `nodes` nodes — built by dispatching real frames, so it is a state the
    /// reducer can reach.
    static func state(prompts: Int, nodes: Int) -> AppState {
        var state = AppState()
        var t = 0.0
        func apply(_ text: String) {
            t += 0.001
            state.apply(FrameDecoder.decode(text: text, at: Timestamp(seconds: t)))
        }
        // The store keeps every unfinished prompt and the most recent finished ones
        // (`QueueState.finishedCapacity`): past that, the record holds the rest as the
        // server's pending queue (a busy server), so it has `prompts` records in all.
        let finished = min(prompts - 1, QueueState.finishedCapacity)
        if prompts - 1 > finished {
            let pending = (finished..<(prompts - 1)).map {
                QueueItem(number: Double($0), promptID: promptID($0), clientID: nil, nodeCount: 3, outputsToExecute: ["9"])
            }
            state.apply(ComfyAction(at: Timestamp(seconds: 0), .http(.queueSnapshot(.init(running: [], pending: pending)))))
        }
        for i in 0..<finished {
            let id = promptID(i)
            apply(executionStart(id))
            apply(executing(id, node: "9"))
            apply(#"{"type": "executed", "data": {"node": "9", "display_node": "9", "output": {"images": [{"filename": "ComfyUI_\#(i).png", "subfolder": "", "type": "output"}]}, "prompt_id": "\#(id)"}}"#)
            apply(executionSuccess(id))
            apply(executing(id, node: nil))
        }
        let running = promptID(prompts - 1)
        apply(executionStart(running))
        apply(progressState(promptID: running, nodes: nodes, value: 0, max: 1000))
        apply(executing(running, node: String(nodes)))
        return state
    }
}

/// The frames of `progress_state_500_msgs_per_s`: a 500-node graph's last node ticking
/// 20 times, each tick a full snapshot of all 500 nodes (about 95 KB), after the prompt's
/// `execution_start`.
struct LargeSnapshots {
    let start: [FrameSet.Frame]
    let frames: [FrameSet.Frame]
    let bytesPerFrame: Int

    init(nodes: Int, ticks: Int = 20) {
        let id = LargeGraph.promptID(500)
        func frame(_ text: String, _ t: Double) -> FrameSet.Frame {
            let bytes = Array(text.utf8)
            return .text(FrameSet.TextFrame(at: Timestamp(seconds: t), bytes: bytes, data: Data(bytes)))
        }
        start = [frame(LargeGraph.executionStart(id), 0)]
        frames = (0..<ticks).map { v in
            frame(LargeGraph.progressState(promptID: id, nodes: nodes, value: v, max: ticks), 0.01 * Double(v + 1))
        }
        if case .text(let t) = frames[0] { bytesPerFrame = t.bytes.count } else { bytesPerFrame = 0 }
    }
}
