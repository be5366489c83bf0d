/// The order in which the worker runs nodes: `ExecutionList` of ComfyUI's
/// `comfy_execution/graph.py`, kept close to the original so the visible order matches
/// (fixtures: `1, 2, 5, 3, 4` — the output `SaveImage` before `ImageInvert`).
///
/// Nodes are added from each output backwards; a cached node is added only if it is an
/// output itself, and links from cached nodes impose no wait. Among ready nodes it picks
/// an output first, then a node an output waits on, then one two steps from an output,
/// else the first added.
struct ExecutionList {
    private let graph: PromptGraph
    /// `pendingNodes` of the server: insertion order matters.
    private var pending: [String] = []
    private var isPending: Set<String> = []
    private var blockCount: [String: Int] = [:]
    /// from node → the nodes waiting on it, in the order the links were found.
    private var blocking: [String: [String]] = [:]

    init(graph: PromptGraph, outputs: [String], isCached: (String) -> Bool) {
        self.graph = graph
        for output in outputs { add(output, isCached: isCached) }
    }

    private mutating func add(_ start: String, isCached: (String) -> Bool) {
        var stack = [start]
        var links: [(from: String, to: String)] = []
        while let id = stack.popLast() {
            guard !isPending.contains(id), let node = graph.node(id) else { continue }
            pending.append(id)
            isPending.insert(id)
            blockCount[id] = 0
            blocking[id] = []
            for link in node.links {
                if !isCached(link.source) { stack.append(link.source) }
                links.append((link.source, id))
            }
        }
        for link in links where !isCached(link.from) {
            add(link.from, isCached: isCached)
            if blocking[link.from, default: []].contains(link.to) == false {
                blocking[link.from, default: []].append(link.to)
                blockCount[link.to, default: 0] += 1
            }
        }
    }

    var isEmpty: Bool { pending.isEmpty }

    /// The next node to run, or nil when everything ran.
    func next() -> String? {
        let ready = pending.filter { blockCount[$0] == 0 }
        guard !ready.isEmpty else { return nil }
        if let output = ready.first(where: isOutput) { return output }
        if let feeding = ready.first(where: { blocking[$0, default: []].contains(where: isOutput) }) { return feeding }
        if let feeding = ready.first(where: { id in
            blocking[id, default: []].contains { blocking[$0, default: []].contains(where: isOutput) }
        }) {
            return feeding
        }
        return ready[0]
    }

    mutating func complete(_ id: String) {
        pending.removeAll { $0 == id }
        isPending.remove(id)
        for blocked in blocking[id, default: []] { blockCount[blocked, default: 1] -= 1 }
    }

    private func isOutput(_ id: String) -> Bool { graph.node(id)?.nodeClass.isOutputNode ?? false }
}
