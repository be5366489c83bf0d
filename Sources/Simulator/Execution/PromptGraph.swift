/// A validated graph, indexed for the worker.
struct PromptGraph {
    struct Link {
        let source: String
        let slot: Int
    }

    struct Node {
        let id: String
        let classType: String
        let nodeClass: NodeClass
        /// The node's inputs in the order the client wrote them (the server walks them
        /// in that order when it builds its execution list).
        let inputs: [PyField]

        func input(_ name: String) -> PyJSON? { inputs.first(where: { $0.key == name })?.value }

        /// `["<node id>", slot]`; validation guaranteed the shape for declared inputs.
        func link(_ name: String) -> Link? {
            guard case .array(let pair) = input(name), pair.count == 2, case .string(let source) = pair[0],
                case .int(let slot) = pair[1]
            else { return nil }
            return Link(source: source, slot: slot)
        }

        var links: [Link] { inputs.compactMap { link($0.key) } }
    }

    let nodes: [Node]
    private let index: [String: Int]

    /// Builds the graph from a prompt that passed validation; nodes of unknown classes
    /// (impossible after validation) are skipped.
    init(_ prompt: PyJSON, catalog: SimulatorCatalog) {
        var nodes: [Node] = []
        for field in prompt.fields ?? [] {
            guard let classType = field.value["class_type"]?.string, let nodeClass = catalog.named(classType) else { continue }
            nodes.append(Node(id: field.key, classType: classType, nodeClass: nodeClass, inputs: field.value["inputs"]?.fields ?? []))
        }
        self.nodes = nodes
        self.index = Dictionary(nodes.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func node(_ id: String) -> Node? { index[id].map { nodes[$0] } }
}
