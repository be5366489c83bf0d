/// A problem with a `--set` or `--vary` argument, worded for the person who typed it:
/// it quotes the argument and lists what would have been accepted.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `--set NODE.INPUT=VALUE`: NODE is a node id (`3`, `5:12` inside a subgraph) or a title
/// no other node has; INPUT is the input's name (`seed`, `resize_type.width`).
public struct InputOverride: Sendable, Hashable {
    /// `NODE.INPUT` as written.
    public var target: String
    /// `VALUE` as written.
    public var text: String
    /// The whole argument, for messages.
    public var argument: String
    public var option: String

    public init(target: String, text: String, argument: String, option: String = "--set") {
        self.target = target
        self.text = text
        self.argument = argument
        self.option = option
    }

    /// Splits at the first `=` (a value may hold more).
    public static func parse(_ argument: String, option: String = "--set") throws(InputError) -> InputOverride {
        guard let equals = argument.firstIndex(of: "="), argument[..<equals].contains(".") else {
            throw InputError("\(option) \(JSONWriter.quoted(argument)): expected NODE.INPUT=VALUE (NODE is a node id or title)")
        }
        return InputOverride(
            target: String(argument[..<equals]), text: String(argument[argument.index(after: equals)...]), argument: argument,
            option: option)
    }
}

/// Finds inputs by `NODE.INPUT` and checks values against what the input accepts.
public struct InputResolver: Sendable {
    public let prompt: APIPrompt
    public let catalog: NodeCatalog

    public init(prompt: APIPrompt, catalog: NodeCatalog) {
        self.prompt = prompt
        self.catalog = catalog
    }

    /// The input `target` names. A title or an input may contain dots, so every split
    /// is tried; exactly one must name an existing node and input.
    public func input(_ target: String, argument: String, option: String) throws(InputError) -> SettableInput {
        let prefix = "\(option) \(JSONWriter.quoted(argument))"
        var splits: [(node: String, input: String)] = []
        var index = target.startIndex
        while let dot = target[index...].firstIndex(of: ".") {
            splits.append((String(target[..<dot]), String(target[target.index(after: dot)...])))
            index = target.index(after: dot)
        }
        var found: [(APINode, String)] = []
        var splitsFound: Set<String> = []
        for (node, input) in splits {
            for candidate in nodes(named: node) where candidate.input(input) != nil {
                found.append((candidate, input))
                splitsFound.insert(node)
            }
        }
        if found.count > 1, splitsFound.count == 1, let title = splitsFound.first {
            let listed = found.map { "\($0.0.id) (\($0.0.classType))" }.joined(separator: ", ")
            throw InputError("\(prefix): \(found.count) nodes are titled \(JSONWriter.quoted(title)): \(listed); use the node id")
        }
        if found.count == 1, let (node, name) = found.first {
            guard let input = node.input(name) else { throw InputError(prefix) }
            if case .link(let source, _) = input.value {
                throw InputError("\(prefix): input \(JSONWriter.quoted(name)) of \(describe(node)) is a link from node \(source), not a value")
            }
            guard let settable = WorkflowInputs.settable(name, of: node, catalog: catalog) else {
                throw InputError("\(prefix): input \(JSONWriter.quoted(name)) of \(describe(node)) is not a widget value the server declares")
            }
            return settable
        }
        if found.count > 1 {
            let listed = found.map { "\($0.0.id).\($0.1)" }.joined(separator: ", ")
            throw InputError("\(prefix): \(JSONWriter.quoted(target)) could mean \(listed); use the node id")
        }
        // Nothing matched: say why, for the longest NODE part that names something.
        for (node, input) in splits.reversed() {
            let matches = nodes(named: node)
            if matches.count > 1 {
                let listed = matches.map { "\($0.id) (\($0.classType))" }.joined(separator: ", ")
                throw InputError("\(prefix): \(matches.count) nodes are titled \(JSONWriter.quoted(node)): \(listed); use the node id")
            }
            if let only = matches.first {
                let names = only.inputs.filter { if case .value = $0.value { true } else { false } }.map(\.name)
                throw InputError(
                    "\(prefix): \(describe(only)) has no input \(JSONWriter.quoted(input)); its inputs: \(names.joined(separator: ", "))")
            }
        }
        let node = splits.last?.node ?? target
        let listed = prompt.nodes.filter { node in node.inputs.contains { if case .value = $0.value { true } else { false } } }
            .map { "\($0.id) \(JSONWriter.quoted($0.title)) (\($0.classType))" }
        throw InputError(
            "\(prefix): no node has the id or title \(JSONWriter.quoted(node)); nodes: \(listed.joined(separator: ", "))")
    }

    /// Nodes with that id, else with that title.
    func nodes(named name: String) -> [APINode] {
        if let byID = prompt.node(name) { return [byID] }
        return prompt.nodes.filter { $0.title == name }
    }

    func describe(_ node: APINode) -> String {
        SettableInput.describe(nodeID: node.id, title: node.title, classType: node.classType)
    }

    /// The value `text` means for the input, checked against its type, range and
    /// choices before anything is sent.
    public func value(_ text: String, for input: SettableInput, argument: String, option: String) throws(InputError) -> JSONValue {
        let prefix = "\(option) \(JSONWriter.quoted(argument))"
        let where_ = "input \(JSONWriter.quoted(input.name)) of \(input.nodeDescription) takes \(input.takes)"
        func fail(_ what: String) -> InputError { InputError("\(prefix): \(what); \(where_)") }
        switch input.kind {
        case .int:
            guard let number = Self.integer(text) else { throw fail("\(JSONWriter.quoted(text)) is not an integer") }
            guard abs(number) <= 9_007_199_254_740_992 else {
                throw fail("\(text) is beyond 2^53, the largest integer sent exactly")
            }
            try checkRange(number, text: text, input: input, fail: fail)
            return .number(number)
        case .float:
            guard let number = Double(text.trimmingSpaces), number.isFinite, !text.trimmingSpaces.isEmpty else {
                throw fail("\(JSONWriter.quoted(text)) is not a number")
            }
            try checkRange(number, text: text, input: input, fail: fail)
            return .number(number)
        case .boolean:
            switch text.trimmingSpaces.lowercased() {
            case "true", "1": return true
            case "false", "0": return false
            default: throw fail("\(JSONWriter.quoted(text)) is not true or false")
            }
        case .string:
            return .string(text)
        case .combo, .dynamicCombo:
            guard case .choices(let choices) = input.constraint, let choice = choices.first(where: { SettableInput.text($0) == text })
            else { throw fail("\(JSONWriter.quoted(text)) is not one of the choices") }
            return choice
        case .custom, .editorCaptured:
            // These widgets hold JSON of their own (a colour string, a list of boxes): JSON
            // is taken as JSON, anything else as text.
            if let parsed = try? JSONValue.parse(text) { return parsed }
            return .string(text)
        }
    }

    /// A value chosen before (checked against another catalogue, or drawn for a seed)
    /// checked again against this input: the same checks as `value(_:for:)` makes of text.
    public func check(_ value: JSONValue, for input: SettableInput, argument: String, option: String) throws(InputError) -> JSONValue {
        switch input.kind {
        case .string, .custom, .editorCaptured: return value
        default: return try self.value(SettableInput.text(value), for: input, argument: argument, option: option)
        }
    }

    private func checkRange(_ number: Double, text: String, input: SettableInput, fail: (String) -> InputError) throws(InputError) {
        guard case .range(let min, let max, _) = input.constraint else { return }
        if let min, number < min { throw fail("\(text) is below the minimum \(SettableInput.number(min))") }
        if let max, number > max { throw fail("\(text) is above the maximum \(SettableInput.number(max))") }
    }

    /// A base-10 integer with an optional sign (`42`, `-3`, `+7`).
    static func integer(_ text: String) -> Double? {
        let trimmed = text.trimmingSpaces
        var digits = Substring(trimmed)
        var sign = 1.0
        if let first = digits.first, first == "-" || first == "+" {
            sign = first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var value = 0.0
        for d in digits { value = value * 10 + Double(d.asciiValue! - 48) }
        return sign * value
    }
}

extension APIPrompt {
    /// Sets one input to a checked value. The value is the user's, so the editor's
    /// control on it (a seed's `randomize`) no longer applies. Choosing another option of
    /// a dynamic combo swaps the option's inputs: the new option's widgets start at their
    /// defaults.
    public mutating func set(_ input: SettableInput, to value: JSONValue, catalog: NodeCatalog) {
        guard let n = nodes.firstIndex(where: { $0.id == input.nodeID }) else { return }
        let old = nodes[n].input(input.name)
        nodes[n].set(APIInput(name: input.name, value: .value(value), control: nil, dynamicPrompt: old?.dynamicPrompt ?? false))
        guard input.kind == .dynamicCombo, old?.value.literal != value,
            let spec = catalog[input.classType]?.spec(for: input.name, of: nodes[n]),
            let option = spec.dynamicOptions.first(where: { SettableInput.text(.string($0.key)) == SettableInput.text(value) })
        else { return }
        let prefix = input.name + "."
        // Values of the old option go; links stay where the new option has that input.
        let kept = Set(option.inputs.map { prefix + $0.name })
        nodes[n].inputs.removeAll { existing in
            guard existing.name.hasPrefix(prefix) else { return false }
            if case .link = existing.value {
                return !kept.contains(where: { existing.name == $0 || existing.name.hasPrefix($0 + ".") })
            }
            return true
        }
        var layout = WidgetLayout(className: input.classType, executionID: input.nodeID)
        layout.walk(option.inputs, prefix: prefix)
        for widget in layout.out where nodes[n].input(widget.name) == nil {
            nodes[n].set(APIInput(name: widget.name, value: .value(widget.value), control: widget.control, dynamicPrompt: widget.dynamicPrompt))
        }
    }

    /// Applies `--set` overrides in order, checking each; returns what each set, by node id.
    @discardableResult
    public mutating func apply(_ overrides: [InputOverride], catalog: NodeCatalog) throws(InputError) -> [Combination.Assignment] {
        var applied: [Combination.Assignment] = []
        for override in overrides {
            let resolver = InputResolver(prompt: self, catalog: catalog)
            let input = try resolver.input(override.target, argument: override.argument, option: override.option)
            let value = try resolver.value(override.text, for: input, argument: override.argument, option: override.option)
            set(input, to: value, catalog: catalog)
            applied.append(Combination.Assignment(input: input, value: value, target: override.target))
        }
        return applied
    }
}
