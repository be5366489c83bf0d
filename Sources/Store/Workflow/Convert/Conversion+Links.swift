/// What an input resolves to once reroutes, bypassed nodes and subgraph boundaries have
/// been looked through (the editor's `ExecutableNodeDTO.resolveInput`/`resolveOutput`).
enum Resolved: Equatable {
    /// An output of a real node, by execution id.
    case output(String, Int)
    /// A widget value standing in for the link (a subgraph input promoted as a widget).
    case value(JSONValue, ValueControl?)
}

/// A link chain that comes back to where it started.
struct LinkCycle: Error {}

extension Conversion {
    /// Follows the link into input `slot` of a node. `type` is the type the final consumer
    /// asked for (a bypassed node picks its pass-through input by it).
    mutating func resolveInput(
        of nodeID: String, slot: Int, in scopeID: Int, type: String?, visited: inout Set<String>
    ) throws(LinkCycle) -> Resolved? {
        guard visited.insert("\(scopeID):\(nodeID)[I]\(slot)").inserted else { throw LinkCycle() }
        let scope = scopes[scopeID]
        guard let node = scope.nodes[nodeID] else { return nil }
        let slots = inputSlots(of: node)
        guard slots.indices.contains(slot), let linkID = slots[slot].link, let link = scope.graph.links[linkID] else {
            return nil
        }
        let wanted = type ?? slots[slot].type
        if link.originID == EditorSubgraph.inputNodeID {
            return try resolveBoundaryInput(link.originSlot, of: scopeID, visited: &visited)
        }
        guard scope.nodes[link.originID] != nil else { return nil }
        return try resolveOutput(of: link.originID, slot: link.originSlot, in: scopeID, type: wanted, visited: &visited)
    }

    /// Input `port` of the subgraph this scope instantiates: what feeds the instance from
    /// outside, or, when nothing does, the widget value the instance holds for it.
    mutating func resolveBoundaryInput(_ port: Int, of scopeID: Int, visited: inout Set<String>) throws(LinkCycle) -> Resolved? {
        let scope = scopes[scopeID]
        guard let parent = scope.parent, let instanceID = scope.instanceID, let instance = scopes[parent].nodes[instanceID]
        else { return nil }
        let slots = inputSlots(of: instance)
        if slots.indices.contains(port), let linkID = slots[port].link, scopes[parent].graph.links[linkID] != nil {
            // Linked from outside: the link wins. A Primitive node feeding the instance
            // resolves to nothing (it only sets widgets): its value is the instance's.
            if let resolved = try resolveInput(of: instanceID, slot: port, in: parent, type: nil, visited: &visited) {
                return resolved
            }
        }
        return promotedValue(instance: instanceID, in: parent, port: port)
            .map { .value($0.value, $0.control) }
    }

    /// Follows output `slot` of a node back to the real node that produces it.
    mutating func resolveOutput(
        of nodeID: String, slot: Int, in scopeID: Int, type: String, visited: inout Set<String>
    ) throws(LinkCycle) -> Resolved? {
        guard visited.insert("\(scopeID):\(nodeID)[O]\(slot)").inserted else { throw LinkCycle() }
        let scope = scopes[scopeID]
        guard let node = scope.nodes[nodeID] else { return nil }
        if node.mode == .bypassed {
            guard let pass = bypassSlot(of: node, output: slot, type: type) else { return nil }
            return try resolveInput(of: nodeID, slot: pass, in: scopeID, type: nil, visited: &visited)
        }
        if let definition = workflow.subgraphs[node.type] {
            // A muted instance is left out whole: its consumers lose the input.
            guard node.mode != .muted, let child = childScope(of: scopeID, instance: node.id) else {
                return .output(scope.executionID(node.id), slot)
            }
            guard definition.outputs.indices.contains(slot), let linkID = definition.outputs[slot].linkIDs.first,
                let link = definition.graph.links[linkID]
            else { return nil }
            if link.originID == EditorSubgraph.inputNodeID {
                // An input wired straight through to an output.
                return try resolveBoundaryInput(link.originSlot, of: child, visited: &visited)
            }
            return try resolveOutput(of: link.originID, slot: link.originSlot, in: child, type: type, visited: &visited)
        }
        if WorkflowConverter.virtualTypes.contains(node.type) {
            if node.type == "GetNode", let setter = setNode(matching: node, in: scopeID) {
                return try resolveInput(of: setter, slot: 0, in: scopeID, type: type, visited: &visited)
            }
            // A reroute passes its input through; a Primitive node has none (it only sets
            // the widgets it feeds), nor does a note.
            guard inputSlots(of: node).indices.contains(slot) else { return nil }
            return try resolveInput(of: nodeID, slot: slot, in: scopeID, type: type, visited: &visited)
        }
        return .output(scope.executionID(node.id), slot)
    }

    /// The input a bypassed node passes to output `slot` when a consumer wants `type`:
    /// the input at the same index if its type fits both, else the first of exactly that
    /// type, else the first that fits both (the editor's `getBypassSlotIndex`).
    func bypassSlot(of node: EditorNode, output slot: Int, type: String) -> Int? {
        let inputs = inputSlots(of: node)
        if type == "*" || type.isEmpty { return inputs.count > slot ? slot : (inputs.isEmpty ? nil : 0) }
        let outputType = outputType(of: node, slot: slot) ?? "*"
        if inputs.indices.contains(slot), Self.connects(inputs[slot].type, outputType), Self.connects(inputs[slot].type, type) {
            return slot
        }
        if let exact = inputs.firstIndex(where: { $0.type == type }) { return exact }
        return inputs.firstIndex { Self.connects($0.type, outputType) && Self.connects($0.type, type) }
    }

    /// litegraph's `isValidConnection`: `*` and empty match anything, names compare
    /// without case, and `A,B` lists match when any member does.
    static func connects(_ a: String, _ b: String) -> Bool {
        let wildcard: Set<String> = ["", "*", "0"]
        if wildcard.contains(a) || wildcard.contains(b) || a == b { return true }
        let left = a.lowercased()
        let right = b.lowercased()
        if !left.contains(","), !right.contains(",") { return left == right }
        for x in left.split(separator: ",") {
            for y in right.split(separator: ",") {
                let tx = String(x).trimmingSpaces
                let ty = String(y).trimmingSpaces
                if tx.contains(",") || ty.contains(",") { continue }
                if connects(tx, ty) { return true }
            }
        }
        return false
    }

    /// The SetNode whose name (its first widget) is the GetNode's.
    func setNode(matching getter: EditorNode, in scopeID: Int) -> String? {
        guard case .positional(let values) = getter.widgetValues, let name = values.first?.stringValue else { return nil }
        return scopes[scopeID].graph.nodes.first { node in
            guard node.type == "SetNode", case .positional(let v) = node.widgetValues else { return false }
            return v.first?.stringValue == name
        }?.id
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
