extension APIPrompt {
    /// Reads an API-format prompt (`{id: {class_type, inputs, _meta}}`), so that `--set`
    /// and `--vary` work on files already in that format. A two-item list whose second
    /// item is an integer is a link, as the server reads it; `{"__value__": [...]}` is a
    /// list value. Nodes without a class type are skipped.
    public init(apiJSON: JSONValue) {
        var nodes: [APINode] = []
        for field in apiJSON.objectValue ?? [] {
            guard let classType = field.value["class_type"]?.stringValue else { continue }
            let inputs = (field.value["inputs"]?.objectValue ?? []).map { input -> APIInput in
                if case .array(let pair) = input.value, pair.count == 2, let source = pair[0].idValue, let slot = pair[1].intValue {
                    return APIInput(name: input.key, value: .link(source, slot))
                }
                if case .object(let wrapped) = input.value, wrapped.count == 1, wrapped[0].key == "__value__" {
                    return APIInput(name: input.key, value: .value(wrapped[0].value))
                }
                return APIInput(name: input.key, value: .value(input.value))
            }
            let title = field.value["_meta"]?["title"]?.stringValue ?? classType
            nodes.append(APINode(id: field.key, classType: classType, title: title, inputs: inputs))
        }
        self.init(nodes: nodes)
    }
}
