/// `ProgressRegistry` of `comfy_execution/progress.py`: the state of every node of the
/// running prompt that has left "pending", sent whole as `progress_state` on every change.
///
/// The numbers keep the types the server gives them, which clients see: a node starts at
/// `0.0 / 1.0`, a tick sets the integers it reported (`3 / 10`), finishing copies `max`
/// into `value`, and a cached output that never started finishes at `1 / 1`.
struct ProgressTracker {
    private struct NodeState {
        let id: String
        var value: PyJSON
        var max: PyJSON
        var finished: Bool
    }

    let promptID: String
    private var nodes: [NodeState] = []

    init(promptID: String) { self.promptID = promptID }

    mutating func start(_ id: String) {
        set(id) { $0 = NodeState(id: id, value: .float(0), max: .float(1), finished: false) }
    }

    mutating func update(_ id: String, value: Int, max: Int) {
        set(id) {
            $0.value = .int(value)
            $0.max = .int(max)
        }
    }

    mutating func finish(_ id: String) {
        if let i = nodes.firstIndex(where: { $0.id == id }) {
            nodes[i].value = nodes[i].max
            nodes[i].finished = true
        } else {
            nodes.append(NodeState(id: id, value: .int(1), max: .int(1), finished: true))
        }
    }

    /// The `data` of a `progress_state` message.
    var snapshot: PyJSON {
        let entries = nodes.map { node in
            PyField(
                node.id,
                .object([
                    "value": node.value, "max": node.max, "state": .string(node.finished ? "finished" : "running"),
                    "node_id": .string(node.id), "prompt_id": .string(promptID), "display_node_id": .string(node.id),
                    "parent_node_id": .null, "real_node_id": .string(node.id),
                ]))
        }
        return .object(["prompt_id": .string(promptID), "nodes": .object(entries)])
    }

    private mutating func set(_ id: String, _ change: (inout NodeState) -> Void) {
        if let i = nodes.firstIndex(where: { $0.id == id }) {
            change(&nodes[i])
        } else {
            var state = NodeState(id: id, value: .float(0), max: .float(1), finished: false)
            change(&state)
            nodes.append(state)
        }
    }
}
