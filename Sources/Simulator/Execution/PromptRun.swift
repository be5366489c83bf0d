/// The worker's state for the prompt it is running. Lives inside the core actor.
final class PromptRun {
    let item: QueueItem
    let graph: PromptGraph
    var progress: ProgressTracker
    /// `status.messages` of the history entry: `[type, data]` pairs.
    var messages: [PyJSON] = []
    /// Nodes that completed in this run (cached ones not counted).
    var executed: [String] = []
    /// UI outputs and their `meta`, in the order the nodes reported them.
    var outputs: [PyField] = []
    var meta: [PyField] = []
    /// The display id of the last node that started: replayed to an owner that
    /// reconnects while it runs.
    var lastNodeID: String?

    init(item: QueueItem, catalog: SimulatorCatalog) {
        self.item = item
        self.graph = PromptGraph(item.prompt, catalog: catalog)
        self.progress = ProgressTracker(promptID: item.promptID)
    }

    var promptID: String { item.promptID }
    var clientID: String? { item.clientID }

    func recordOutput(_ id: String, _ ui: PyJSON) {
        outputs.removeAll { $0.key == id }
        outputs.append(PyField(id, ui))
        meta.removeAll { $0.key == id }
        meta.append(
            PyField(
                id,
                .object(["node_id": .string(id), "display_node": .string(id), "parent_node": .null, "real_node_id": .string(id)])))
    }
}
