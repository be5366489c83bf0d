/// `validate_inputs`: one node's declared inputs, following links depth-first.
extension PromptValidator {
    mutating func validateInputs(_ id: String, visiting: [String]) throws(ValidationException) -> (Bool, [PyJSON]) {
        if let i = validatedIndex[id] { return (validated[i].valid, validated[i].reasons) }
        if let start = visiting.firstIndex(of: id) {
            let cycle = Array(visiting[start...]) + [id]
            let reason = Self.reason(
                "dependency_cycle", "Dependency cycle detected", details: cycle.joined(separator: " -> "),
                extra: .object(["cycle_nodes": .strings(cycle)]))
            record(id, valid: false, reasons: [reason])
            return (false, [reason])
        }
        // `prompt[o_id]['class_type']` of the caller: a link to a missing node raises here.
        guard let node = node(id), let nodeClass = node["class_type"]?.string.flatMap(catalog.named) else {
            throw ValidationException.keyError(.string(id))
        }
        let inputs = node["inputs"]?.fields ?? []
        var errors: [PyJSON] = []
        var valid = true
        let custom = SelfValidation.byClass[nodeClass.name]
        let specs = Self.finalizedInputs(of: nodeClass, live: inputs)
        for (spec, required) in specs {
            guard var value = inputs.first(where: { $0.key == spec.name })?.value else {
                if required {
                    errors.append(
                        Self.reason(
                            "required_input_missing", "Required input is missing", details: spec.name,
                            extra: .object(["input_name": .string(spec.name)])))
                }
                continue
            }
            if case .array(let link) = value {
                switch try validateLink(link, of: spec, checkType: custom?.checksLinkTypes ?? true, visiting: visiting + [id]) {
                case .ok: break
                case .upstreamInvalid: valid = false
                case .error(let reason): errors.append(reason)
                }
                continue
            }
            // A list widget value travels as `{"__value__": [...]}`, so it is not read as a link.
            if value.fields != nil, let inner = value["__value__"] {
                value = inner
                setInput(spec.name, of: id, to: inner)
            }
            switch convert(value, of: spec) {
            case .failure(let reason): errors.append(reason.json)
            case .success(let converted):
                setInput(spec.name, of: id, to: converted)
                // The node checks these itself (below, for a file loader).
                if custom?.covers(spec.name) == true { continue }
                if let reason = Self.rangeError(converted, of: spec) {
                    errors.append(reason)
                } else if let reason = Self.choiceError(converted, of: spec) {
                    errors.append(reason)
                }
            }
        }
        if let custom, let reason = custom.fileError(inputs, spec: specs.first(where: { $0.0.name == custom.file?.input })?.0) {
            errors.append(reason)
        }
        // A cycle found below this node was charged to it already: keep that reason.
        let earlier = validatedIndex[id].map { validated[$0].reasons } ?? []
        let reasons = earlier + errors
        let result = (reasons.isEmpty && valid, reasons)
        record(id, valid: result.0, reasons: reasons)
        return result
    }

    private enum LinkResult {
        case ok, upstreamInvalid
        case error(PyJSON)
    }

    private mutating func validateLink(
        _ link: [PyJSON], of spec: InputSpec, checkType: Bool, visiting: [String]
    ) throws(ValidationException) -> LinkResult {
        guard link.count == 2 else {
            return .error(
                Self.reason(
                    "bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                    details: spec.name,
                    extra: .object([
                        "input_name": .string(spec.name), "input_config": spec.errorConfig, "received_value": .array(link),
                    ])))
        }
        // These lookups sit outside the server's try block: their exceptions reach the
        // caller of this node's validation.
        guard case .string(let sourceID) = link[0], let source = node(sourceID),
            let sourceClass = source["class_type"]?.string.flatMap(catalog.named)
        else { throw .keyError(link[0]) }
        guard case .int(let slot) = link[1] else { throw .indexType(link[1]) }
        let index = slot < 0 ? sourceClass.outputs.count + slot : slot
        guard sourceClass.outputs.indices.contains(index) else { throw .indexRange }
        let receivedType = sourceClass.outputs[index]
        guard !checkType || Self.typesMatch(received: receivedType, input: spec.declaredType) else {
            return .error(
                Self.reason(
                    "return_type_mismatch", "Return type mismatch between linked nodes",
                    details: "\(spec.name), received_type(\(receivedType)) mismatch input_type(\(spec.type))",
                    extra: .object([
                        "input_name": .string(spec.name), "input_config": spec.errorConfig,
                        "received_type": .string(receivedType), "linked_node": .array(link),
                    ])))
        }
        do {
            let (valid, _) = try validateInputs(sourceID, visiting: visiting)
            return valid ? .ok : .upstreamInvalid
        } catch {
            // Caught where the server catches it: charged to the linked node, described
            // with this node's input.
            record(sourceID, valid: false, reasons: [error.innerReason(input: spec, link: link)])
            return .upstreamInvalid
        }
    }

    private func convert(_ value: PyJSON, of spec: InputSpec) -> Result<PyJSON, PyJSONReason> {
        do {
            switch spec.type {
            case "INT": return .success(try PythonConversions.int(value))
            case "FLOAT": return .success(try PythonConversions.float(value))
            case "STRING": return .success(PythonConversions.str(value))
            case "BOOLEAN": return .success(PythonConversions.bool(value))
            default: return .success(value)
            }
        } catch {
            return .failure(
                PyJSONReason(
                    Self.reason(
                        "invalid_input_type", "Failed to convert an input value to a \(spec.type) value",
                        details: "\(spec.name), \(PyJSONWriter.pythonStr(value)), \(error.message)",
                        extra: .object([
                            "input_name": .string(spec.name), "input_config": spec.errorConfig, "received_value": value,
                            "exception_message": .string(error.message),
                        ]))))
        }
    }
}
