/// The error objects of `validate_prompt`, worded as the server words them.
extension PromptValidator {
    /// A top-level `error` object.
    static func error(_ type: String, _ message: String, details: String, extra: PyJSON = .emptyObject) -> PyJSON {
        .object(["type": .string(type), "message": .string(message), "details": .string(details), "extra_info": extra])
    }

    /// One entry of a node's `errors` list (same shape as `error`).
    static func reason(_ type: String, _ message: String, details: String, extra: PyJSON) -> PyJSON {
        error(type, message, details: details, extra: extra)
    }

    static func unknownClass(id: String, classType: String, title: String) -> PyJSON {
        error(
            "missing_node_type", "Node '\(title)' not found. The custom node may not be installed.", details: "Node ID '#\(id)'",
            extra: .object(["node_id": .string(id), "class_type": .string(classType), "node_title": .string(title)]))
    }

    static func missingClassType(id: String, title: String?) -> PyJSON {
        error(
            "missing_node_type",
            "Node '\(title ?? "#" + id)' has no class_type. The workflow may be corrupted or a custom node is missing.",
            details: "Node ID '#\(id)'",
            extra: .object(["node_id": .string(id), "class_type": .null, "node_title": title.map(PyJSON.string) ?? .null]))
    }

    /// `value_smaller_than_min` / `value_bigger_than_max`, or nil when in range.
    static func rangeError(_ value: PyJSON, of spec: InputSpec) -> PyJSON? {
        guard let v = value.number else { return nil }
        let extra = PyJSON.object(["input_name": .string(spec.name), "input_config": spec.errorConfig, "received_value": value])
        if let min = spec.minimum, let m = min.number, v < m {
            return reason(
                "value_smaller_than_min",
                "Value \(PyJSONWriter.pythonStr(value)) smaller than min of \(PyJSONWriter.pythonStr(min))",
                details: spec.name, extra: extra)
        }
        if let max = spec.maximum, let m = max.number, v > m {
            return reason(
                "value_bigger_than_max",
                "Value \(PyJSONWriter.pythonStr(value)) bigger than max of \(PyJSONWriter.pythonStr(max))",
                details: spec.name, extra: extra)
        }
        return nil
    }
}

/// A Python exception raised while following a link (a missing node, a bad slot). The
/// server lets it escape to the caller, which reports it either as
/// `exception_during_inner_validation` (on the linked node) or, for an output node, as
/// `exception_during_validation`.
enum ValidationException: Error {
    /// `prompt[o_id]` for an id that is not in the graph.
    case keyError(PyJSON)
    /// `r[val[1]]` with a slot that is not an integer.
    case indexType(PyJSON)
    /// `r[val[1]]` past the node's outputs.
    case indexRange

    var type: String {
        switch self {
        case .keyError: "KeyError"
        case .indexType: "TypeError"
        case .indexRange: "IndexError"
        }
    }

    var message: String {
        switch self {
        case .keyError(let key): PythonConversions.keyRepr(key)
        case .indexType(let slot): "tuple indices must be integers or slices, not \(PythonConversions.typeName(slot))"
        case .indexRange: "tuple index out of range"
        }
    }

    /// The frame that raised, formatted like `traceback.format_tb` (Python 3.11 carets).
    /// The KeyError frame is the recorded one; the others follow the same source.
    private var raisingFrame: String {
        switch self {
        case .keyError:
            "  File \"<comfyui>/execution.py\", line 933, in validate_inputs\n    o_class_type = prompt[o_id]['class_type']\n                   ~~~~~~^^^^^^\n"
        case .indexType, .indexRange:
            "  File \"<comfyui>/execution.py\", line 935, in validate_inputs\n    received_type = r[val[1]]\n                    ~^^^^^^^^\n"
        }
    }

    func innerReason(input spec: InputSpec, link: [PyJSON]) -> PyJSON {
        let call =
            "  File \"<comfyui>/execution.py\", line 955, in validate_inputs\n    r = await validate_inputs(prompt_id, prompt, o_id, validated, visiting)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        return PromptValidator.reason(
            "exception_during_inner_validation", "Exception when validating inner node", details: message,
            extra: .object([
                "input_name": .string(spec.name), "input_config": spec.errorConfig, "exception_message": .string(message),
                "exception_type": .string(type), "traceback": .strings([call, raisingFrame]), "linked_node": .array(link),
            ]))
    }

    var outerReason: PyJSON {
        let call =
            "  File \"<comfyui>/execution.py\", line 1061, in validate_prompt\n    m = await validate_inputs(prompt_id, prompt, o, validated)\n        ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
        return PromptValidator.reason(
            "exception_during_validation", "Exception when validating node", details: message,
            extra: .object(["exception_type": .string(type), "traceback": .strings([call, raisingFrame])]))
    }
}
