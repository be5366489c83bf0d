/// One node class of a server's `/object_info`: what the converter, the input listing
/// and the checks of `--set` need to know about it.
public struct NodeSchema: Sendable, Hashable {
    /// The class name (`class_type` in a prompt).
    public var name: String
    /// The name the editor shows, which a node saved without a title carries.
    public var displayName: String
    /// `required` then `optional` inputs, in `input_order`.
    public var inputs: [InputSpec]
    /// Hidden inputs (`prompt`, `unique_id`, API keys): filled in by the server.
    public var hidden: [String]
    /// Output types (`RETURN_TYPES`); a combo list returned as an output reads `"COMBO"`.
    public var outputs: [String]
    public var outputNames: [String]
    /// An output node: the server runs a prompt for these.
    public var isOutputNode: Bool

    public init(
        name: String, displayName: String? = nil, inputs: [InputSpec], hidden: [String] = [], outputs: [String] = [],
        outputNames: [String] = [], isOutputNode: Bool = false
    ) {
        self.name = name
        self.displayName = displayName ?? name
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
        self.outputNames = outputNames
        self.isOutputNode = isOutputNode
    }

    /// Reads one `/object_info` entry; nil when it is not an object.
    public init?(name: String, objectInfo entry: JSONValue) {
        guard case .object = entry else { return nil }
        let input = entry["input"] ?? .null
        let displayName = entry["display_name"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let hidden = (input["hidden"]?.objectValue ?? []).map(\.key)
        let outputs = (entry["output"]?.arrayValue ?? []).map { output -> String in
            if case .string(let type) = output { return type }
            return "COMBO"
        }
        self.init(
            name: name, displayName: displayName, inputs: InputSpec.inputs(of: input, order: entry["input_order"]),
            hidden: hidden, outputs: outputs, outputNames: (entry["output_name"]?.arrayValue ?? []).compactMap(\.stringValue),
            isOutputNode: entry["output_node"]?.boolValue == true)
    }

    /// The declared input of that name, top-level only (a dynamic combo's sub-inputs are
    /// reached through `input(path:selected:)`).
    public func input(_ name: String) -> InputSpec? { inputs.first { $0.name == name } }
}
