/// What a simulated node does when the worker runs it (see `NodeRunner`).
enum NodeBehaviour: Sendable {
    /// Returns at once: `EmptyImage`, `ImageInvert`.
    case instant
    /// `TestProgressLoop`: `steps` ticks of `delay` seconds, optional previews and text.
    case progressLoop
    /// `TestSleep`: `seconds / tick` ticks, interruptible between 50 ms slices.
    case sleep
    /// `TestFail`: `steps_before_fail` ticks of 50 ms, then `RuntimeError(message)`.
    case fail
    /// `PreviewImage`: writes a temp file, reports it as UI output.
    case previewImage
    /// `SaveImage`: writes `<prefix>_NNNNN_.png` to the output folder.
    case saveImage
}

/// One declared input of a node class, with the options dictionary exactly as
/// `GET /object_info` shows it (the validator quotes it back in `input_config`).
struct InputSpec: Sendable {
    let name: String
    /// `IMAGE` (a link), `INT`, `FLOAT`, `BOOLEAN` or `STRING`.
    let type: String
    let options: PyJSON?

    init(_ name: String, _ type: String, _ options: PyJSON? = nil) {
        self.name = name
        self.type = type
        self.options = options
    }

    /// `["INT", {...}]`, or `["IMAGE"]` without options: the `object_info` form.
    var declaration: PyJSON { options.map { .array([.string(type), $0]) } ?? .array([.string(type)]) }
    /// `["IMAGE", {}]`: how validation errors quote an input without options.
    var errorConfig: PyJSON { .array([.string(type), options ?? .emptyObject]) }
    var minimum: PyJSON? { options?["min"] }
    var maximum: PyJSON? { options?["max"] }
}

/// A node class the simulator knows: its `object_info` declaration and its behaviour.
struct NodeClass: Sendable {
    let name: String
    let displayName: String
    let description: String
    let category: String
    let pythonModule: String
    let required: [InputSpec]
    /// Hidden inputs as (name, kind), e.g. `("unique_id", "UNIQUE_ID")`.
    let hidden: [(String, String)]
    /// `RETURN_TYPES`; a link `[id, slot]` must name an existing slot.
    let outputs: [String]
    let outputNames: [String]
    let isOutputNode: Bool
    let searchAliases: [String]
    let essentialsCategory: String?
    let behaviour: NodeBehaviour
}
