/// A graph being converted: the top level, or one expanded subgraph instance.
struct Scope {
    /// Instance ids from the top level down to this scope (empty at the top).
    let path: [String]
    let graph: EditorGraph
    let nodes: [String: EditorNode]
    /// The subgraph definition this scope instantiates.
    let definition: EditorSubgraph?
    /// The instance node, in the parent scope.
    let instanceID: String?
    let parent: Int?

    init(path: [String], graph: EditorGraph, definition: EditorSubgraph?, instanceID: String?, parent: Int?) {
        self.path = path
        self.graph = graph
        var nodes: [String: EditorNode] = [:]
        for node in graph.nodes where nodes[node.id] == nil { nodes[node.id] = node }
        self.nodes = nodes
        self.definition = definition
        self.instanceID = instanceID
        self.parent = parent
    }

    /// The id the node has in the prompt: the path of instances down to it, then its own.
    func executionID(_ id: String) -> String { (path + [id]).joined(separator: ":") }
}

extension Conversion {
    /// Expands every subgraph instance of a scope (depth first, in node order) and lists
    /// the real nodes in the order the prompt will have them.
    mutating func expand(scope scopeID: Int, stack: [String]) throws(ConversionError) {
        for node in scopes[scopeID].graph.nodes {
            guard let definition = workflow.subgraphs[node.type] else {
                order.append((scopeID, node.id))
                continue
            }
            // A muted or bypassed instance is left out as a whole; only links through it
            // are resolved, from its boundary.
            if node.mode == .muted || node.mode == .bypassed { continue }
            let id = scopes[scopeID].executionID(node.id)
            if stack.contains(definition.id) {
                throw ConversionError(
                    nodeID: id, title: node.title ?? definition.name, classType: definition.id, reason: .subgraphCycle)
            }
            let child = Scope(
                path: scopes[scopeID].path + [node.id], graph: definition.graph, definition: definition,
                instanceID: node.id, parent: scopeID)
            scopes.append(child)
            scopeIndex[id] = scopes.count - 1
            try expand(scope: scopes.count - 1, stack: stack + [definition.id])
        }
    }

    /// The scope of the subgraph instance `id` of scope `scopeID`, if it was expanded.
    func childScope(of scopeID: Int, instance id: String) -> Int? {
        scopeIndex[scopes[scopeID].executionID(id)]
    }

    /// A node's input slots as links see them. A subgraph instance's slots are its
    /// definition's inputs, matched to the saved slots by name: a file saved by an older
    /// editor may list them in another order, or not all of them.
    func inputSlots(of node: EditorNode) -> [EditorNode.InputSlot] {
        guard let definition = workflow.subgraphs[node.type] else { return node.inputs }
        return definition.inputs.map { port in
            let saved = node.inputs.first { $0.name == port.name }
            return EditorNode.InputSlot(name: port.name, type: port.type, link: saved?.link, widgetName: saved?.widgetName)
        }
    }

    /// Output slot types: a subgraph instance's are its definition's outputs.
    func outputType(of node: EditorNode, slot: Int) -> String? {
        if let definition = workflow.subgraphs[node.type] {
            return definition.outputs.indices.contains(slot) ? definition.outputs[slot].type : nil
        }
        if node.outputs.indices.contains(slot) { return node.outputs[slot].type }
        return catalog[node.type].flatMap { $0.outputs.indices.contains(slot) ? $0.outputs[slot] : nil }
    }
}
