extension NodeSchema {
    /// The declaration behind a prompt input name: a top-level input, or a dynamic
    /// combo's sub-input (`resize_type.width`), reached through the option the node's
    /// combo value selects. `value` gives the node's current value of an input.
    public func spec(for name: String, value: (String) -> JSONValue?) -> InputSpec? {
        Self.spec(for: name, in: inputs, prefix: "", value: value)
    }

    private static func spec(for name: String, in inputs: [InputSpec], prefix: String, value: (String) -> JSONValue?) -> InputSpec? {
        for input in inputs {
            let full = prefix + input.name
            if full == name { return input }
            guard input.isDynamicCombo, name.hasPrefix(full + "."),
                let key = value(full).flatMap({ $0.stringValue ?? $0.idValue }),
                let option = input.dynamicOptions.first(where: { $0.key == key })
            else { continue }
            if let found = spec(for: name, in: option.inputs, prefix: full + ".", value: value) { return found }
        }
        return nil
    }

    /// The declaration behind an input of a converted node.
    public func spec(for name: String, of node: APINode) -> InputSpec? {
        spec(for: name) { node.input($0)?.value.literal }
    }
}
