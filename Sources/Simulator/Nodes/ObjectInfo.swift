/// `GET /object_info` entries, in the key order the recorded server uses.
extension NodeClass {
    var objectInfo: PyJSON {
        if let recorded { return recorded }
        var input: [PyField] = [PyField("required", .object(required.map { PyField($0.name, $0.declaration) }))]
        var order: [PyField] = [PyField("required", .strings(required.map(\.name)))]
        if !hidden.isEmpty {
            input.append(PyField("hidden", .object(hidden.map { PyField($0.0, .string($0.1)) })))
            order.append(PyField("hidden", .strings(hidden.map(\.0))))
        }
        var info: [PyField] = [
            PyField("input", .object(input)),
            PyField("input_order", .object(order)),
            PyField("is_input_list", .bool(false)),
            PyField("output", .strings(outputs)),
            PyField("output_is_list", .array(outputs.map { _ in .bool(false) })),
            PyField("output_name", .strings(outputNames)),
            PyField("name", .string(name)),
            PyField("display_name", .string(displayName)),
            PyField("description", .string(description)),
            PyField("python_module", .string(pythonModule)),
            PyField("category", .string(category)),
            PyField("output_node", .bool(isOutputNode)),
            PyField("has_intermediate_output", .bool(false)),
            PyField("search_aliases", .strings(searchAliases)),
        ]
        if let essentialsCategory { info.append(PyField("essentials_category", .string(essentialsCategory))) }
        return .object(info)
    }
}


