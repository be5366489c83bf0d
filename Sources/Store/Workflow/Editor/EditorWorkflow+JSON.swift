/// Reading the editor's JSON. Loose where the editor itself is loose (links as arrays at
/// the top level and as objects inside subgraphs, ids as numbers or strings, a slot type
/// as a string or a number), strict only where nothing sensible could follow: no node list.
extension EditorWorkflow {
    /// Why a file is not a workflow the editor saved.
    public struct ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public init(json: JSONValue) throws(ReadError) {
        guard case .object = json else { throw ReadError("not an editor workflow: the file is not a JSON object") }
        guard let nodes = json["nodes"]?.arrayValue else {
            throw ReadError("not an editor workflow: it has no \"nodes\" list")
        }
        let graph = EditorGraph(nodes: nodes.compactMap(EditorNode.init(json:)), links: Self.links(json["links"]))
        var subgraphs: [String: EditorSubgraph] = [:]
        Self.collectSubgraphs(json["definitions"], into: &subgraphs)
        var groupNodeTypes = Set((json["extra"]?["groupNodes"]?.objectValue ?? []).map { "workflow>" + $0.key })
        for node in graph.nodes + subgraphs.values.flatMap(\.graph.nodes)
        where node.type.hasPrefix("workflow>") || node.type.hasPrefix("workflow/") {
            groupNodeTypes.insert(node.type)
        }
        self.init(graph: graph, subgraphs: subgraphs, groupNodeTypes: groupNodeTypes)
    }

    /// `definitions.subgraphs`, and any a definition nests in its own `definitions`.
    private static func collectSubgraphs(_ definitions: JSONValue?, into out: inout [String: EditorSubgraph]) {
        for entry in definitions?["subgraphs"]?.arrayValue ?? [] {
            guard let id = entry["id"]?.idValue, !id.isEmpty else { continue }
            let graph = EditorGraph(
                nodes: (entry["nodes"]?.arrayValue ?? []).compactMap(EditorNode.init(json:)), links: links(entry["links"]))
            let name = entry["name"]?.stringValue ?? id
            if out[id] == nil {
                out[id] = EditorSubgraph(
                    id: id, name: name, graph: graph, inputs: ports(entry["inputs"]), outputs: ports(entry["outputs"]))
            }
            collectSubgraphs(entry["definitions"], into: &out)
        }
    }

    private static func ports(_ json: JSONValue?) -> [EditorSubgraph.Port] {
        (json?.arrayValue ?? []).map { port in
            EditorSubgraph.Port(
                name: port["name"]?.stringValue ?? "", type: slotType(port["type"]),
                linkIDs: (port["linkIds"]?.arrayValue ?? []).compactMap(\.idValue))
        }
    }

    /// Links as `[id, origin, originSlot, target, targetSlot, type]` or as objects.
    static func links(_ json: JSONValue?) -> [EditorLink] {
        (json?.arrayValue ?? []).compactMap { entry in
            switch entry {
            case .array(let a) where a.count >= 5:
                guard let id = a[0].idValue, let origin = a[1].idValue, let originSlot = a[2].intValue,
                    let target = a[3].idValue, let targetSlot = a[4].intValue
                else { return nil }
                return EditorLink(
                    id: id, originID: origin, originSlot: originSlot, targetID: target, targetSlot: targetSlot,
                    type: a.count > 5 ? slotType(a[5]) : "*")
            case .object:
                guard let id = entry["id"]?.idValue, let origin = entry["origin_id"]?.idValue,
                    let originSlot = entry["origin_slot"]?.intValue, let target = entry["target_id"]?.idValue,
                    let targetSlot = entry["target_slot"]?.intValue
                else { return nil }
                return EditorLink(
                    id: id, originID: origin, originSlot: originSlot, targetID: target, targetSlot: targetSlot,
                    type: slotType(entry["type"]))
            default:
                return nil
            }
        }
    }

    /// A slot type as text: `"IMAGE"`, `"*"`; litegraph's numeric event types as digits.
    static func slotType(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .number?: return value?.idValue ?? "*"
        case .array?: return "COMBO"
        default: return "*"
        }
    }
}

extension EditorNode {
    /// One entry of a `nodes` list; nil for an entry without an id or a type.
    public init?(json: JSONValue) {
        guard case .object = json, let id = json["id"]?.idValue, let type = json["type"]?.stringValue, !type.isEmpty else {
            return nil
        }
        let inputs = (json["inputs"]?.arrayValue ?? []).map { slot in
            InputSlot(
                name: slot["name"]?.stringValue ?? "", type: EditorWorkflow.slotType(slot["type"]),
                link: slot["link"]?.idValue, widgetName: slot["widget"]?["name"]?.stringValue)
        }
        let outputs = (json["outputs"]?.arrayValue ?? []).map { slot in
            OutputSlot(
                name: slot["name"]?.stringValue ?? "", type: EditorWorkflow.slotType(slot["type"]),
                links: (slot["links"]?.arrayValue ?? []).compactMap(\.idValue), widgetName: slot["widget"]?["name"]?.stringValue)
        }
        let values: WidgetValues
        switch json["widgets_values"] {
        case .array(let list)?: values = .positional(list)
        case .object(let fields)?: values = .named(fields)
        default: values = .none
        }
        let title = json["title"]?.stringValue
        self.init(
            id: id, type: type, title: title, mode: Mode(rawValue: json["mode"]?.intValue ?? 0), inputs: inputs,
            outputs: outputs, widgetValues: values, properties: json["properties"] ?? .object([JSONField]()))
    }
}
