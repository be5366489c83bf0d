/// Turns a workflow saved by the editor into an API prompt for one server, using that
/// server's `/object_info` to know which inputs are widgets and in what order.
///
/// The rules are the editor's own conversion (`graphToPrompt` in the ComfyUI frontend),
/// rebuilt here rather than ported:
///
/// * widget values are positional over the node's widgets, which are the inputs of its
///   class in `input_order` that the editor draws a widget for; a seed's "control after
///   generate" value, upload buttons and similar take a slot but are not inputs;
/// * a link becomes `[node, slot]`; reroutes and other virtual nodes are looked through;
///   a Primitive node's value is copied into the widgets it drives;
/// * muted nodes (mode 2) are left out, and so is every input they fed; bypassed nodes
///   (mode 4) are left out and each of their outputs is fed by the input of matching type;
/// * subgraphs are flattened: an inner node's id is the path of instance ids down to it
///   (`5:12`), and a widget the instance promotes takes the instance's value;
/// * notes and other editor-only nodes are left out; a list value is wrapped as
///   `{"__value__": [...]}` so the server does not read it as a link.
///
/// Anything it cannot convert faithfully (a class the server lacks, a subgraph that is
/// not defined, a value only the editor can capture) is a `ConversionError` naming the
/// node, never a prompt that quietly differs from what the editor would send.
public struct WorkflowConverter: Sendable {
    public let catalog: NodeCatalog

    public init(catalog: NodeCatalog) { self.catalog = catalog }

    /// Node types the editor keeps to itself: never sent, looked through by links.
    public static let virtualTypes: Set<String> = [
        "Note", "MarkdownNote", "PrimitiveNode", "Reroute",
        // KJNodes' named connections: a GetNode reads what the SetNode of the same name is fed.
        "GetNode", "SetNode",
        // rgthree's editor-only helpers.
        "Fast Groups Bypasser (rgthree)", "Fast Groups Muter (rgthree)", "Fast Bypasser (rgthree)",
        "Fast Muter (rgthree)", "Label (rgthree)", "Bookmark (rgthree)",
    ]

    public func convert(_ workflow: EditorWorkflow) throws(ConversionError) -> APIPrompt {
        var run = Conversion(workflow: workflow, catalog: catalog)
        return try run.prompt()
    }
}

/// One conversion's working state: the flattened scopes and the memo of widget values.
struct Conversion {
    let workflow: EditorWorkflow
    let catalog: NodeCatalog
    /// The top-level graph is scope 0; each expanded subgraph instance adds one.
    var scopes: [Scope] = []
    var scopeIndex: [String: Int] = [:]
    /// Every real node in emission order: (scope, node id).
    var order: [(scope: Int, node: String)] = []
    /// Widget inputs per execution id, before links are applied.
    var widgetMemo: [String: [WidgetValue]] = [:]
    /// Primitive values per scope: node id → widget name → value.
    var primitiveMemo: [Int: [String: [String: WidgetValue]]] = [:]
    /// Promoted inputs per subgraph definition id.
    var promotionMemo: [String: [Promotion?]] = [:]

    init(workflow: EditorWorkflow, catalog: NodeCatalog) {
        self.workflow = workflow
        self.catalog = catalog
    }

    mutating func prompt() throws(ConversionError) -> APIPrompt {
        scopes = [Scope(path: [], graph: workflow.graph, definition: nil, instanceID: nil, parent: nil)]
        try expand(scope: 0, stack: [])
        var nodes: [APINode] = []
        for (scopeID, nodeID) in order {
            guard let node = scopes[scopeID].nodes[nodeID] else { continue }
            if let emitted = try emit(node, in: scopeID) { nodes.append(emitted) }
        }
        // The editor's last pass: an input linked to a node that was left out (muted, or
        // an unresolved end) goes, so the server reports the input missing rather than a
        // link to nothing.
        let present = Set(nodes.map(\.id))
        for i in nodes.indices {
            nodes[i].inputs.removeAll { input in
                if case .link(let source, _) = input.value { return !present.contains(source) }
                return false
            }
        }
        return APIPrompt(nodes: nodes)
    }

    /// A subgraph instance's type is its definition's UUID (`8-4-4-4-12` hex digits).
    static func looksLikeSubgraphID(_ type: String) -> Bool {
        let parts = type.split(separator: "-", omittingEmptySubsequences: false)
        return parts.map(\.count) == [8, 4, 4, 4, 12] && parts.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// The class and output count of a node by execution id, when the catalog has it.
    func outputCount(of executionID: String) -> (String, Int)? {
        var path = executionID.split(separator: ":").map(String.init)
        guard let own = path.popLast() else { return nil }
        let scopeID = path.isEmpty ? 0 : scopeIndex[path.joined(separator: ":")]
        guard let scopeID, let node = scopes[scopeID].nodes[own], let schema = catalog[node.type] else { return nil }
        return (node.type, schema.outputs.count)
    }

    /// One node of the prompt, or nil for a node the editor does not send.
    mutating func emit(_ node: EditorNode, in scopeID: Int) throws(ConversionError) -> APINode? {
        if node.mode == .muted || node.mode == .bypassed { return nil }
        if WorkflowConverter.virtualTypes.contains(node.type) { return nil }
        let id = scopes[scopeID].executionID(node.id)
        if workflow.groupNodeTypes.contains(node.type) {
            throw ConversionError(nodeID: id, title: node.title ?? node.type, classType: node.type, reason: .groupNode)
        }
        guard let schema = catalog[node.type] else {
            let reason: ConversionError.Reason = Self.looksLikeSubgraphID(node.type) ? .missingSubgraph : .unknownClass
            throw ConversionError(nodeID: id, title: node.title ?? node.type, classType: node.type, reason: reason)
        }
        let title = node.title ?? schema.displayName
        var api = APINode(id: id, classType: node.type, title: title, inputs: [])
        for widget in widgetValues(of: node, in: scopeID) {
            switch widget.origin {
            case .captured(let type):
                throw ConversionError(
                    nodeID: id, title: title, classType: node.type, reason: .editorCaptured(input: widget.name, type: type))
            case .misfit(let type):
                throw ConversionError(
                    nodeID: id, title: title, classType: node.type,
                    reason: .valuesDoNotFit(input: widget.name, type: type, value: widget.value))
            default: break
            }
            api.set(APIInput(name: widget.name, value: .value(widget.value), control: widget.control, dynamicPrompt: widget.dynamicPrompt))
        }
        for (slot, input) in node.inputs.enumerated() where input.link != nil {
            var visited: Set<String> = []
            let resolved: Resolved?
            do throws(LinkCycle) {
                resolved = try resolveInput(of: node.id, slot: slot, in: scopeID, type: nil, visited: &visited)
            } catch {
                throw ConversionError(nodeID: id, title: title, classType: node.type, reason: .linkCycle(input: input.name))
            }
            switch resolved {
            case nil: continue
            case .output(let source, let sourceSlot)?:
                if let (sourceClass, outputs) = outputCount(of: source), sourceSlot >= outputs {
                    throw ConversionError(
                        nodeID: id, title: title, classType: node.type,
                        reason: .missingOutput(input: input.name, source: source, sourceClass: sourceClass, slot: sourceSlot, outputs: outputs))
                }
                api.set(APIInput(name: input.name, value: .link(source, sourceSlot)))
            case .value(let value, let control)?:
                api.set(APIInput(name: input.name, value: .value(value), control: control))
            }
        }
        return api
    }
}
