/// `execution.validate_prompt` of ComfyUI 0.33.0, rebuilt so that the 400 bodies and the
/// partial-accept case (200 with `node_errors`) come out exactly as the recorded server
/// writes them (invalid_prompt.jsonl).
///
/// Like the server it converts literal inputs in place (`"seconds": 30` becomes `30.0`
/// for a `FLOAT` input), and the converted graph is what the queue and history show.
struct PromptValidator {
    enum Outcome {
        /// HTTP 400: `{"error": error, "node_errors": nodeErrors}`.
        case rejected(error: PyJSON, nodeErrors: PyJSON)
        /// Queued; only `outputs` run. `nodeErrors` lists the outputs that were dropped.
        case accepted(outputs: [String], nodeErrors: PyJSON)
    }

    /// The graph, with literal inputs converted as validation went.
    private(set) var prompt: [PyField]
    var position: [String: Int] = [:]
    /// `validated` of the Python code: node id → (valid, reasons), in insertion order,
    /// which is the order `node_errors` lists nodes in.
    var validated: [(id: String, valid: Bool, reasons: [PyJSON])] = []
    var validatedIndex: [String: Int] = [:]
    let catalog: SimulatorCatalog

    init(prompt: [PyField], catalog: SimulatorCatalog) {
        self.catalog = catalog
        self.prompt = prompt
        for (i, field) in prompt.enumerated() { position[field.key] = i }
    }

    /// Validates the graph; `targets` are the `partial_execution_targets` of the request.
    mutating func validate(targets: [String]?) -> Outcome {
        var outputs: [String] = []
        for field in prompt {
            let node = field.value
            let title = node["_meta"]?["title"]?.string
            guard let classType = node["class_type"]?.string else {
                return .rejected(error: Self.missingClassType(id: field.key, title: title), nodeErrors: .emptyObject)
            }
            guard let nodeClass = catalog.named(classType) else {
                return .rejected(
                    error: Self.unknownClass(id: field.key, classType: classType, title: title ?? classType),
                    nodeErrors: .emptyObject)
            }
            if nodeClass.isOutputNode { outputs.append(field.key) }
        }
        if let targets { outputs = prompt.map(\.key).filter { targets.contains($0) } }
        guard !outputs.isEmpty else {
            return .rejected(error: Self.error("prompt_no_outputs", "Prompt has no outputs", details: ""), nodeErrors: .emptyObject)
        }

        var good: [String] = []
        var failures: [(output: String, reasons: [PyJSON])] = []
        var nodeErrors: [PyField] = []
        for output in outputs {
            let reasons: [PyJSON]
            let valid: Bool
            do {
                (valid, reasons) = try validateInputs(output, visiting: [])
            } catch {
                valid = false
                reasons = [error.outerReason]
                record(output, valid: false, reasons: reasons)
            }
            if valid {
                good.append(output)
                continue
            }
            failures.append((output, reasons))
            // Every node with reasons is charged with this output, as the server does
            // (the memo is shared between outputs).
            for entry in validated where !entry.valid && !entry.reasons.isEmpty {
                if let i = nodeErrors.firstIndex(where: { $0.key == entry.id }) {
                    if case .array(var deps) = nodeErrors[i].value["dependent_outputs"] {
                        deps.append(.string(output))
                        nodeErrors[i].value["dependent_outputs"] = .array(deps)
                    }
                } else {
                    let classType = node(entry.id)?["class_type"] ?? .null
                    nodeErrors.append(
                        PyField(
                            entry.id,
                            .object([
                                "errors": .array(entry.reasons), "dependent_outputs": .strings([output]), "class_type": classType,
                            ])))
                }
            }
        }
        guard !good.isEmpty else {
            let details = failures.flatMap { failure in
                failure.reasons.map { "\($0["message"]?.string ?? ""): \($0["details"]?.string ?? "")" }
            }
            let error = Self.error(
                "prompt_outputs_failed_validation", "Prompt outputs failed validation", details: details.joined(separator: "\n"))
            return .rejected(error: error, nodeErrors: .object(nodeErrors))
        }
        return .accepted(outputs: good, nodeErrors: .object(nodeErrors))
    }

    // MARK: Bookkeeping

    func node(_ id: String) -> PyJSON? { position[id].map { prompt[$0].value } }

    mutating func setInput(_ name: String, of id: String, to value: PyJSON) {
        guard let i = position[id] else { return }
        var inputs = prompt[i].value["inputs"] ?? .emptyObject
        inputs[name] = value
        prompt[i].value["inputs"] = inputs
    }

    mutating func record(_ id: String, valid: Bool, reasons: [PyJSON]) {
        if let i = validatedIndex[id] {
            validated[i] = (id, valid, reasons)
        } else {
            validatedIndex[id] = validated.count
            validated.append((id, valid, reasons))
        }
    }
}

/// A reason wrapped so it can travel in a `Result`.
struct PyJSONReason: Error {
    let json: PyJSON
    init(_ json: PyJSON) { self.json = json }
}
