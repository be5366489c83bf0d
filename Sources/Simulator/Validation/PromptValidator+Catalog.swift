/// The parts of validation that only a recorded catalog exercises: optional and dynamic
/// inputs, link types with alternatives, combo choices.
extension PromptValidator {
    /// The inputs to check, with whether each is required: the class's required and
    /// optional inputs, where dynamic ones are expanded against what the prompt gives
    /// (`get_finalized_class_inputs`): a dynamic combo adds its selected option's inputs
    /// as `combo.input`; an autogrow input stands for `prefix0`, `prefix1`… (or its
    /// names), the first `min` of them required.
    static func finalizedInputs(of nodeClass: NodeClass, live: [PyField]) -> [(InputSpec, Bool)] {
        var out: [(InputSpec, Bool)] = []
        expand(nodeClass.required.map { ($0, true) } + nodeClass.optional.map { ($0, false) }, prefix: "", live: live, into: &out)
        return out
    }

    private static func expand(_ specs: [(InputSpec, Bool)], prefix: String, live: [PyField], into out: inout [(InputSpec, Bool)]) {
        for (spec, required) in specs {
            let name = prefix + spec.name
            switch spec.type {
            case "COMFY_DYNAMICCOMBO_V3":
                guard let key = live.first(where: { $0.key == name })?.value,
                    let option = (spec.options?["options"]?.array ?? []).first(where: { pyEquals($0["key"] ?? .null, key) })
                else { continue }
                let inner = option["inputs"] ?? .emptyObject
                let subs = sections(inner).map { ($0.0, $0.1) }
                expand(subs, prefix: name + ".", live: live, into: &out)
                out.append((renamed(spec, name), required))
            case "COMFY_AUTOGROW_V3":
                let template = spec.options?["template"] ?? .emptyObject
                var names: [String] = []
                if let listed = template["names"]?.array {
                    names = listed.compactMap(\.string)
                } else if let prefixName = template["prefix"]?.string {
                    let max = template["max"].flatMap { if case .int(let i) = $0 { i } else { nil } } ?? 10
                    names = (0..<max).map { "\(prefixName)\($0)" }
                }
                let minimum = template["min"].flatMap { if case .int(let i) = $0 { i } else { nil } } ?? 1
                guard let (element, elementRequired) = sections(template["input"] ?? .emptyObject).first else { continue }
                for (i, elementName) in names.enumerated() {
                    out.append((renamed(element, name + "." + elementName), i < minimum && elementRequired))
                }
            case "COMFY_DYNAMICSLOT_V3":
                continue
            default:
                out.append((prefix.isEmpty ? spec : renamed(spec, name), required))
            }
        }
    }

    /// `{"required": {...}, "optional": {...}}` as specs with their section.
    private static func sections(_ inputs: PyJSON) -> [(InputSpec, Bool)] {
        ["required", "optional"].flatMap { section in
            (inputs[section]?.fields ?? []).map { (InputSpec(name: $0.key, declaration: $0.value), section == "required") }
        }
    }

    private static func renamed(_ spec: InputSpec, _ name: String) -> InputSpec {
        InputSpec(name: name, declaration: spec.declaration)
    }

    /// `validate_node_input` (not strict): equal, `*` or a match type on either side, or
    /// comma-separated alternatives with one in common.
    static func typesMatch(received: String, input: PyJSON) -> Bool {
        if case .string(let expected) = input, expected == received { return true }
        if received == "*" || received == "COMFY_MATCHTYPE_V3" { return true }
        guard case .string(let expected) = input else { return false }
        if expected == "*" || expected == "COMFY_MATCHTYPE_V3" { return true }
        let left = Set(received.split(separator: ",").map { String($0).pyStripped })
        let right = Set(expected.split(separator: ",").map { String($0).pyStripped })
        if left.contains("*") || right.contains("*") { return true }
        return !left.isDisjoint(with: right)
    }

    /// `value_not_in_list` for a combo whose choices do not hold the value (each value of
    /// a multiselect list is checked).
    static func choiceError(_ value: PyJSON, of spec: InputSpec) -> PyJSON? {
        guard let choices = spec.choices else { return nil }
        let invalid: [PyJSON]
        if spec.options?["multiselect"]?.isTruthy == true, case .array(let values) = value {
            invalid = values.filter { v in !choices.contains { pyEquals($0, v) } }
        } else {
            invalid = choices.contains { pyEquals($0, value) } ? [] : [value]
        }
        guard !invalid.isEmpty else { return nil }
        // The server does not send back long lists (model files, say).
        let long = choices.count > 20
        let listInfo = long ? "(list of length \(choices.count))" : pyRepr(.array(choices))
        return reason(
            "value_not_in_list", "Value not in list",
            details: "\(spec.name): \(invalid.map(pyRepr).joined(separator: ", ")) not in \(listInfo)",
            extra: .object([
                "input_name": .string(spec.name), "input_config": long ? .null : spec.errorConfig, "received_value": value,
            ]))
    }

    /// Python's `==` on JSON values: numbers (and booleans) compare by value.
    static func pyEquals(_ a: PyJSON, _ b: PyJSON) -> Bool {
        func number(_ v: PyJSON) -> Double? {
            switch v {
            case .bool(let b): b ? 1 : 0
            default: v.number
            }
        }
        if let x = number(a), let y = number(b) { return x == y }
        return a == b
    }

    /// Python's `repr()` of a JSON value.
    static func pyRepr(_ value: PyJSON) -> String {
        switch value {
        case .string(let s): PythonConversions.repr(s)
        case .array(let items): "[" + items.map(pyRepr).joined(separator: ", ") + "]"
        case .object(let fields): "{" + fields.map { PythonConversions.repr($0.key) + ": " + pyRepr($0.value) }.joined(separator: ", ") + "}"
        default: PyJSONWriter.pythonStr(value)
        }
    }
}

extension String {
    /// `str.strip()` of spaces, tabs and newlines.
    fileprivate var pyStripped: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
