/// One input a node class declares in `/object_info`: its name, its type and its options,
/// with what the editor and the validator derive from them.
///
/// The declaration is `[TYPE, {options}]` where `TYPE` is a type name (`"INT"`, `"IMAGE"`,
/// `"IMAGE,MASK"`, `"*"`), the legacy combo form (a list of choices), or a newer combo
/// (`["COMBO", {"options": [...]}]`). Everything is read loosely: a declaration the
/// catalog cannot make sense of becomes a link-only input of type `"*"` rather than an
/// error, because a catalog from a newer server must not stop a conversion that never
/// touches that input.
public struct InputSpec: Sendable, Hashable {
    /// The input's name as the API prompt uses it (`"seed"`, `"resize_type.width"` for a
    /// dynamic combo's sub-input, which keeps its bare name here and gets its prefix from
    /// the walk that reaches it).
    public var name: String
    /// `required` or `optional` (hidden inputs are listed apart in `NodeSchema.hidden`).
    public var isRequired: Bool
    /// The declared type; list-form combos are normalised to `"COMBO"`.
    public var type: String
    /// The options object as declared (`{}` when there is none).
    public var options: JSONValue
    /// A combo's choices: the legacy list, or `options.options`. Empty for other types.
    public var choices: [JSONValue]
    /// A `COMFY_DYNAMICCOMBO_V3` input's options, each with the inputs it adds.
    public var dynamicOptions: [DynamicOption]

    /// One choice of a dynamic combo and the inputs it brings (named `<combo>.<input>`
    /// in the prompt).
    public struct DynamicOption: Sendable, Hashable {
        public var key: String
        public var inputs: [InputSpec]
    }

    public init(
        name: String, isRequired: Bool, type: String, options: JSONValue = .object([JSONField]()),
        choices: [JSONValue] = [], dynamicOptions: [DynamicOption] = []
    ) {
        self.name = name
        self.isRequired = isRequired
        self.type = type
        self.options = options
        self.choices = choices
        self.dynamicOptions = dynamicOptions
    }

    /// Reads `[TYPE, {options}]` (or a bare type string) as `/object_info` writes it.
    public init(name: String, isRequired: Bool, declaration: JSONValue) {
        var type = "*"
        var options = JSONValue.object([JSONField]())
        var choices: [JSONValue] = []
        let parts: [JSONValue]
        switch declaration {
        case .array(let items): parts = items
        case .string: parts = [declaration]
        default: parts = []
        }
        if let first = parts.first {
            switch first {
            case .string(let s): type = s
            case .array(let list):
                type = "COMBO"
                choices = list
            default: break
            }
        }
        if parts.count > 1, case .object = parts[1] { options = parts[1] }
        if type == "COMBO", choices.isEmpty, let listed = options["options"]?.arrayValue { choices = listed }
        var dynamic: [DynamicOption] = []
        if type == Self.dynamicComboType {
            for option in options["options"]?.arrayValue ?? [] {
                guard let key = option["key"]?.stringValue ?? option["key"]?.idValue else { continue }
                dynamic.append(DynamicOption(key: key, inputs: Self.inputs(of: option["inputs"] ?? .null)))
            }
            choices = dynamic.map { .string($0.key) }
        }
        self.init(name: name, isRequired: isRequired, type: type, options: options, choices: choices, dynamicOptions: dynamic)
    }

    /// The `required` then `optional` inputs of an `{"required": {...}, "optional": {...}}`
    /// object, in the order given by `order` (`input_order`) where it names them, then in
    /// the object's own order.
    static func inputs(of sections: JSONValue, order: JSONValue? = nil) -> [InputSpec] {
        var out: [InputSpec] = []
        for section in ["required", "optional"] {
            guard let fields = sections[section]?.objectValue else { continue }
            let listed = (order?[section]?.arrayValue ?? []).compactMap(\.stringValue)
            var names = listed.filter { name in fields.contains { $0.key == name } }
            for field in fields where !names.contains(field.key) { names.append(field.key) }
            for name in names {
                guard let declaration = fields.first(where: { $0.key == name })?.value else { continue }
                out.append(InputSpec(name: name, isRequired: section == "required", declaration: declaration))
            }
        }
        return out
    }

    static let dynamicComboType = "COMFY_DYNAMICCOMBO_V3"
    static let autogrowType = "COMFY_AUTOGROW_V3"
}

extension InputSpec {
    /// `options[key]` when the options are an object.
    public func option(_ key: String) -> JSONValue? { options[key] }

    public var minimum: Double? { option("min")?.doubleValue }
    public var maximum: Double? { option("max")?.doubleValue }
    public var step: Double? { option("step")?.doubleValue }
    /// The declared default, if any.
    public var declaredDefault: JSONValue? { option("default") }
    /// `forceInput` (or its old name `defaultInput`): a widget type shown as a socket only.
    public var isForcedInput: Bool {
        option("forceInput")?.boolValue == true || option("defaultInput")?.boolValue == true
    }
    /// STRING inputs whose `{a|b}` syntax the editor resolves before sending.
    public var hasDynamicPrompts: Bool { option("dynamicPrompts")?.boolValue == true }
    public var isMultiselect: Bool { option("multiselect")?.boolValue == true }
    public var isDynamicCombo: Bool { type == Self.dynamicComboType }
    public var isCombo: Bool { type == "COMBO" }
}
