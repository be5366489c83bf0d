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
    /// `IMAGE` (a link), `INT`, `FLOAT`, `BOOLEAN`, `STRING`, `COMBO` (also for the list
    /// form), `IMAGE,MASK`, `*`, or a dynamic type (`COMFY_DYNAMICCOMBO_V3`…).
    let type: String
    let options: PyJSON?
    /// The type as declared: the type name, or a legacy combo's list of choices (the
    /// server quotes that list as the input's type).
    let declaredType: PyJSON
    /// A combo's choices (the list form, or `options.options`); nil for other types.
    let choices: [PyJSON]?

    init(_ name: String, _ type: String, _ options: PyJSON? = nil) {
        self.name = name
        self.type = type
        self.options = options
        self.declaredType = .string(type)
        self.choices = type == "COMBO" ? options?["options"]?.array : nil
    }

    /// Reads a recorded `[TYPE, {options}]` declaration.
    init(name: String, declaration: PyJSON) {
        self.name = name
        let parts = declaration.array ?? [declaration]
        let first = parts.first ?? .string("*")
        let options = parts.count > 1 && parts[1].fields != nil ? parts[1] : nil
        self.options = options
        self.declaredType = first
        switch first {
        case .array(let list):
            type = "COMBO"
            choices = list
        case .string(let name):
            type = name
            choices = name == "COMBO" ? options?["options"]?.array ?? [] : nil
        default:
            type = "*"
            choices = nil
        }
    }

    /// `["INT", {...}]`, or `["IMAGE"]` without options: the `object_info` form.
    var declaration: PyJSON { options.map { .array([declaredType, $0]) } ?? .array([declaredType]) }
    /// `["IMAGE", {}]`: how validation errors quote an input without options.
    var errorConfig: PyJSON { .array([declaredType, options ?? .emptyObject]) }
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
    /// Optional inputs: validated when present (recorded catalogs only; the built-in
    /// classes have none).
    var optional: [InputSpec] = []
    /// Hidden inputs as (name, kind), e.g. `("unique_id", "UNIQUE_ID")`.
    let hidden: [(String, String)]
    /// `RETURN_TYPES`; a link `[id, slot]` must name an existing slot.
    let outputs: [String]
    let outputNames: [String]
    let isOutputNode: Bool
    let searchAliases: [String]
    let essentialsCategory: String?
    let behaviour: NodeBehaviour
    /// The entry exactly as a recorded `/object_info` had it, served as it is.
    var recorded: PyJSON? = nil
}
