/// The nodes of the prompt the server is running (or ran last): one table per prompt,
/// replaced on every `progress_state` snapshot, then corrected by the reducer where the
/// server never says it (a failed or interrupted node stays `running` in its snapshots).
public struct NodesState: Sendable, Equatable {
    public enum Phase: String, Sendable, Equatable {
        case running, finished, failed, interrupted
        /// The prompt ended and nobody told us how this node did (we were away, or the
        /// prompt was not ours); history settles it.
        case unknown
    }

    public struct Node: Sendable, Equatable {
        public var state: Phase
        public var value: Double
        public var max: Double
        public var displayNodeID: String?
        public var parentNodeID: String?
        public var realNodeID: String?

        public init(
            state: Phase, value: Double = 0, max: Double = 1, displayNodeID: String? = nil,
            parentNodeID: String? = nil, realNodeID: String? = nil
        ) {
            self.state = state
            self.value = value
            self.max = max
            self.displayNodeID = displayNodeID
            self.parentNodeID = parentNodeID
            self.realNodeID = realNodeID
        }

        /// How far this node is, 0…1.
        public var fraction: Double {
            switch state {
            case .finished: return 1
            default: return max > 0 ? Swift.min(Swift.max(value / max, 0), 1) : 0
            }
        }

        public var json: JSONValue {
            .object([
                JSONField("state", .string(state.rawValue)),
                JSONField("value", .number(value)),
                JSONField("max", .number(max)),
                JSONField("display_node_id", displayNodeID.json),
                JSONField("parent_node_id", parentNodeID.json),
                JSONField("real_node_id", realNodeID.json),
            ])
        }
    }

    public var promptID: String?
    /// Node id (the inner, running id) → its state.
    public var byID: [String: Node] = [:]
    /// Nodes served from the cache (`execution_cached`).
    public var cached: [String] = []
    /// Nodes that ran to completion in this prompt, in the order they finished.
    public var executed: [String] = []
    /// The node executing now, and the node a UI should highlight for it.
    public var executing: String?
    public var executingDisplay: String?

    public init() {}

    /// Starts a fresh table for `promptID`.
    mutating func reset(for promptID: String) {
        self = NodesState()
        self.promptID = promptID
    }

    mutating func markExecuted(_ id: String) {
        if !executed.contains(id), !cached.contains(id) { executed.append(id) }
    }

    /// No node is left `running` once a prompt has ended: the ones still running become
    /// `phase` (finished on success, interrupted when the prompt was stopped, unknown
    /// when we do not know how it ended).
    mutating func settleRunning(as phase: Phase) {
        for (id, node) in byID where node.state == .running || (node.state == .unknown && phase != .unknown) {
            byID[id]!.state = phase
            if phase == .finished {
                byID[id]!.value = node.max
                markExecuted(id)
            }
        }
        executing = nil
        executingDisplay = nil
    }

    public var json: JSONValue {
        .object([
            JSONField("prompt_id", promptID.json),
            JSONField("executing", executing.json),
            JSONField("executing_display", executingDisplay.json),
            JSONField("by_id", .object(byID.keys.sorted(by: idOrder).map { JSONField($0, byID[$0]!.json) })),
            JSONField("cached", cached.json),
            JSONField("executed", executed.json),
        ])
    }
}
