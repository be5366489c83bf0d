/// A prompt in the API format, typed, with what the submission still has to decide per
/// run: which values the editor would change between runs ("control after generate")
/// and which texts hold `{a|b}` choices.
public struct APIPrompt: Sendable, Hashable {
    public var nodes: [APINode]

    public init(nodes: [APINode]) { self.nodes = nodes }

    public func node(_ id: String) -> APINode? { nodes.first { $0.id == id } }

    /// `{id: {"inputs": {...}, "class_type": ..., "_meta": {"title": ...}}}` as the
    /// editor writes it, with the values as they are now (no control applied).
    public var json: JSONValue {
        .object(nodes.map { JSONField($0.id, $0.json) })
    }
}

/// One node of an API prompt.
public struct APINode: Sendable, Hashable {
    /// The execution id: the editor's node id, or `outer:inner` for a node inside a
    /// subgraph (`a:b:c` when nested), which no top-level id can collide with.
    public var id: String
    public var classType: String
    public var title: String
    public var inputs: [APIInput]

    public init(id: String, classType: String, title: String, inputs: [APIInput]) {
        self.id = id
        self.classType = classType
        self.title = title
        self.inputs = inputs
    }

    public func input(_ name: String) -> APIInput? { inputs.first { $0.name == name } }

    /// Sets an input, keeping its place when it is there already (as a JS object keeps a
    /// key's position when it is assigned again).
    public mutating func set(_ input: APIInput) {
        if let i = inputs.firstIndex(where: { $0.name == input.name }) { inputs[i] = input } else { inputs.append(input) }
    }

    public var json: JSONValue {
        .object([
            JSONField("inputs", .object(inputs.map { JSONField($0.name, $0.value.json) })),
            JSONField("class_type", .string(classType)),
            JSONField("_meta", .object([JSONField("title", .string(title))])),
        ])
    }
}

/// One input: a link to another node's output, or a value.
public struct APIInput: Sendable, Hashable {
    public var name: String
    public var value: APIValue
    /// Set when the widget has the editor's "control after generate" (with its mode,
    /// `fixed` included, so `--seed randomize` can still reach it). Inputs fed by one
    /// Primitive node share its `group`, so they get the same new value.
    public var control: ValueControl?
    /// A STRING input of a schema with `dynamicPrompts`: `{a|b}` is resolved, and
    /// comments are stripped, per submission, as the editor does.
    public var dynamicPrompt: Bool

    public init(name: String, value: APIValue, control: ValueControl? = nil, dynamicPrompt: Bool = false) {
        self.name = name
        self.value = value
        self.control = control
        self.dynamicPrompt = dynamicPrompt
    }
}

public enum APIValue: Sendable, Hashable {
    /// `[node id, output slot]`.
    case link(String, Int)
    case value(JSONValue)

    /// Lists become `{"__value__": [...]}`: a bare two-item list would read as a link,
    /// and the server unwraps the object before validating.
    public var json: JSONValue {
        switch self {
        case .link(let node, let slot): return .array([.string(node), .number(Double(slot))])
        case .value(let value):
            if case .array = value { return .object([JSONField("__value__", value)]) }
            return value
        }
    }

    public var literal: JSONValue? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// A value the editor changes between runs.
public struct ValueControl: Sendable, Hashable {
    public var mode: ControlMode
    /// Inputs with the same group take the same new value (one Primitive node feeding
    /// several widgets); otherwise the group is the input's own `node.input`.
    public var group: String

    public init(mode: ControlMode, group: String) {
        self.mode = mode
        self.group = group
    }
}
