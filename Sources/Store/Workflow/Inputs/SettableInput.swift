/// One input of a converted prompt that a value can be given to (`comfysh inputs`,
/// `--set`, `--vary`): a widget value, not a link.
public struct SettableInput: Sendable, Hashable {
    public var nodeID: String
    public var title: String
    public var classType: String
    public var name: String
    /// `INT`, `FLOAT`, `STRING`, `BOOLEAN`, `COMBO`, or an editor widget type (`COLOR`…).
    public var type: String
    public var value: JSONValue
    public var constraint: Constraint
    /// The editor's "control after generate" mode, when the widget has one.
    public var control: ControlMode?
    public var kind: WidgetKind

    /// What values the server accepts.
    public enum Constraint: Sendable, Hashable {
        case none
        case range(min: Double?, max: Double?, step: Double?)
        case choices([JSONValue])
    }

    /// `node 3 "KSampler" (KSampler)`: how messages name the node.
    public var nodeDescription: String { Self.describe(nodeID: nodeID, title: title, classType: classType) }

    static func describe(nodeID: String, title: String, classType: String) -> String {
        "node \(nodeID) \(JSONWriter.quoted(title)) (\(classType))"
    }

    /// `an INT from 1 to 10000`, `one of 3 choices`, `a STRING`: what the input takes.
    public var takes: String {
        switch constraint {
        case .choices(let choices):
            return "one of: " + choices.map(Self.text).joined(separator: ", ")
        case .range(let min, let max, _):
            let article = type == "INT" ? "an" : "a"
            switch (min, max) {
            case (let lo?, let hi?): return "\(article) \(type) from \(Self.number(lo)) to \(Self.number(hi))"
            case (let lo?, nil): return "\(article) \(type) of at least \(Self.number(lo))"
            case (nil, let hi?): return "\(article) \(type) of at most \(Self.number(hi))"
            case (nil, nil): return "\(article) \(type)"
            }
        case .none:
            return (type.first.map { "AEIOU".contains($0) } == true ? "an " : "a ") + type
        }
    }

    /// The JSON form of the listing (`comfysh inputs --json`).
    public var json: JSONValue {
        var fields = [
            JSONField("node", .string(nodeID)), JSONField("title", .string(title)), JSONField("class_type", .string(classType)),
            JSONField("input", .string(name)), JSONField("type", .string(type)), JSONField("value", value),
        ]
        switch constraint {
        case .none: break
        case .range(let min, let max, let step):
            if let min { fields.append(JSONField("min", .number(min))) }
            if let max { fields.append(JSONField("max", .number(max))) }
            if let step { fields.append(JSONField("step", .number(step))) }
        case .choices(let choices): fields.append(JSONField("choices", .array(choices)))
        }
        if let control { fields.append(JSONField("control_after_generate", .string(control.rawValue))) }
        return .object(fields)
    }

    /// A value as a person reads it: text without quotes, numbers without `.0`.
    public static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .number(let d): return number(d)
        default: return JSONWriter.string(value)
        }
    }

    /// A number as text; the 64-bit seed limit that a double cannot hold prints as the
    /// server declares it.
    public static func number(_ d: Double) -> String {
        if d == 18_446_744_073_709_551_616 { return "18446744073709551615" }
        if d.rounded() == d, abs(d) < 1e19, let exact = Int64(exactly: d) { return String(exact) }
        return JSONWriter.number(d)
    }
}

/// The settable inputs of a converted prompt.
public enum WorkflowInputs {
    /// Every widget value of every node, in prompt order, with its type and what the
    /// server accepts for it (from the catalog).
    public static func list(_ prompt: APIPrompt, catalog: NodeCatalog) -> [SettableInput] {
        prompt.nodes.flatMap { node in
            node.inputs.compactMap { input in settable(input.name, of: node, catalog: catalog) }
        }
    }

    /// The input as a settable one; nil for a link or an input the class does not declare.
    public static func settable(_ name: String, of node: APINode, catalog: NodeCatalog) -> SettableInput? {
        guard let input = node.input(name), case .value(let value) = input.value,
            let spec = catalog[node.classType]?.spec(for: name, of: node), let kind = spec.widget(of: node.classType)
        else { return nil }
        let constraint: SettableInput.Constraint
        switch kind {
        case .int, .float: constraint = .range(min: spec.minimum, max: spec.maximum, step: spec.step)
        case .combo, .dynamicCombo: constraint = .choices(spec.choices)
        default: constraint = .none
        }
        return SettableInput(
            nodeID: node.id, title: node.title, classType: node.classType, name: name, type: kind.typeName, value: value,
            constraint: constraint, control: input.control?.mode, kind: kind)
    }
}
