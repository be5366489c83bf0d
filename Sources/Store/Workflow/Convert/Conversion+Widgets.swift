/// One widget's value as the editor would send it.
struct WidgetValue {
    enum Origin: Equatable {
        /// Read from the node's `widgets_values`.
        case saved
        /// Not in the file: the value a fresh widget holds.
        case defaulted
        /// Copied from the Primitive node that drives the widget.
        case primitive
        /// A value only the editor can capture, with none usable in the file.
        case captured(String)
        /// A saved value that cannot belong to this widget: the file's widgets are not
        /// this server's (another version of the node).
        case misfit(String)
    }

    var name: String
    var value: JSONValue
    var control: ValueControl?
    var dynamicPrompt: Bool
    var origin: Origin
}

extension Conversion {
    /// The values the editor sends for a node's widgets, in widget order: the saved
    /// values mapped over the widgets its class has on this server, then any Primitive
    /// node's value copied over the widget it drives.
    mutating func widgetValues(of node: EditorNode, in scopeID: Int) -> [WidgetValue] {
        let id = scopes[scopeID].executionID(node.id)
        if let known = widgetMemo[id] { return known }
        var widgets = savedWidgetValues(of: node, executionID: id)
        if let driven = primitiveValues(in: scopeID)[node.id] {
            for i in widgets.indices {
                guard var value = driven[widgets[i].name] else { continue }
                value.dynamicPrompt = widgets[i].dynamicPrompt
                widgets[i] = value
            }
        }
        widgetMemo[id] = widgets
        return widgets
    }

    /// The saved values laid over the class's widgets.
    func savedWidgetValues(of node: EditorNode, executionID: String) -> [WidgetValue] {
        guard let schema = catalog[node.type] else { return [] }
        var layout = WidgetLayout(className: node.type, executionID: executionID)
        switch node.widgetValues {
        case .positional(let values):
            layout.values = Self.migrateForcedInputSlots(values, schema: schema)
        case .named(let fields):
            layout.named = fields
        case .none:
            break
        }
        layout.walk(schema.inputs, prefix: "")
        let choice = layout.out.first?.value
        for (name, value) in EditorExtensions.extraWidgets(of: node.type, saved: node.widgetValues, choice: choice) {
            layout.out.append(WidgetValue(name: name, value: value, control: nil, dynamicPrompt: false, origin: .saved))
        }
        return layout.out
    }

    /// Very old saves kept a slot for each `forceInput` input too (the editor's
    /// `migrateWidgetsValues`): when the count says so, those slots are dropped.
    static func migrateForcedInputSlots(_ values: [JSONValue], schema: NodeSchema) -> [JSONValue] {
        var forced: [Bool] = []
        for spec in schema.inputs where spec.isForcedInput || spec.widget(of: schema.name) != nil {
            forced.append(spec.isForcedInput)
            if spec.option("control_after_generate")?.boolValue == true { forced.append(false) }
        }
        guard forced.count == values.count, forced.contains(true) else { return values }
        return zip(values, forced).filter { !$0.1 }.map(\.0)
    }

    /// Primitive nodes of a scope, as the editor applies them before it converts
    /// (`PrimitiveNode.applyToGraph`): target node id → widget name → value. One node
    /// feeding several widgets gives them one control group, so they change together.
    mutating func primitiveValues(in scopeID: Int) -> [String: [String: WidgetValue]] {
        if let known = primitiveMemo[scopeID] { return known }
        let scope = scopes[scopeID]
        var out: [String: [String: WidgetValue]] = [:]
        for node in scope.graph.nodes where node.type == "PrimitiveNode" {
            guard case .positional(let values) = node.widgetValues, let value = values.first,
                let output = node.outputs.first, !output.links.isEmpty
            else { continue }
            var control: ValueControl?
            if values.count > 1, let mode = values[1].stringValue.flatMap(ControlMode.init(rawValue:)) {
                control = ValueControl(mode: mode, group: scope.executionID(node.id))
            }
            for linkID in output.links {
                guard let link = scope.graph.links[linkID], let target = scope.nodes[link.targetID],
                    target.inputs.indices.contains(link.targetSlot)
                else { continue }
                let slot = target.inputs[link.targetSlot]
                guard let widget = slot.widgetName ?? (workflow.subgraphs[target.type] != nil ? slot.name : nil) else { continue }
                out[target.id, default: [:]][widget] = WidgetValue(
                    name: widget, value: value, control: control, dynamicPrompt: false, origin: .primitive)
            }
        }
        primitiveMemo[scopeID] = out
        return out
    }
}

/// The walk over a class's inputs that pairs widgets with saved values.
struct WidgetLayout {
    let className: String
    let executionID: String
    var values: [JSONValue] = []
    var named: [JSONField]?
    var cursor = 0
    var out: [WidgetValue] = []

    /// What the Load3D widget's three buttons save before the viewport's own value.
    static let load3DButtons: Set<String> = ["upload3dmodel", "uploadExtraResources", "clear"]

    init(className: String, executionID: String) {
        self.className = className
        self.executionID = executionID
    }

    mutating func walk(_ inputs: [InputSpec], prefix: String) {
        for spec in inputs {
            guard let kind = spec.widget(of: className) else { continue }
            let name = prefix + spec.name
            if kind.typeName == "LOAD_3D" {
                while cursor < values.count, let text = values[cursor].stringValue, Self.load3DButtons.contains(text) {
                    cursor += 1
                }
            }
            var value = spec.editorDefault(of: className)
            var origin = WidgetValue.Origin.defaulted
            if let named {
                if let saved = named.first(where: { $0.key == name }) {
                    value = saved.value
                    origin = .saved
                }
            } else if cursor < values.count {
                value = values[cursor]
                origin = .saved
                cursor += 1
            }
            var mode: ControlMode?
            if let fresh = spec.control(of: className) {
                mode = origin == .saved ? consumeControl(combo: kind == .combo && !spec.isMultiselect) : fresh
            }
            if origin == .saved, named == nil {
                cursor = min(values.count, cursor + spec.interfaceSlots())
            }
            if origin == .saved, let problem = Self.misfit(value, spec: spec, kind: kind) { origin = .misfit(problem) }
            if case .editorCaptured(let type) = kind {
                let usable: Bool
                switch value {
                case .string(let s): usable = !s.isEmpty
                case .object: usable = true
                default: usable = false
                }
                if !usable { origin = .captured(type) }
            }
            out.append(
                WidgetValue(
                    name: name, value: value,
                    control: mode.map { ValueControl(mode: $0, group: "\(executionID).\(name)") },
                    dynamicPrompt: kind == .string && spec.hasDynamicPrompts, origin: origin))
            if kind == .dynamicCombo, let key = value.stringValue ?? value.idValue,
                let option = spec.dynamicOptions.first(where: { $0.key == key })
            {
                walk(option.inputs, prefix: name + ".")
            }
        }
    }

    /// Why a saved value cannot be the widget's, if it cannot: a number widget holding
    /// text that is not a number, a boolean holding text, a text widget holding a boolean
    /// or a structure, a dynamic combo holding a key it does not offer (the inputs after
    /// it would be read from the wrong places). Values the server would convert (`"5"`
    /// for an INT) or that may just be missing files (a combo's unknown file name) pass.
    static func misfit(_ value: JSONValue, spec: InputSpec, kind: WidgetKind) -> String? {
        switch (kind, value) {
        case (_, .null): return nil
        case (.int, .number), (.float, .number): return nil
        case (.int, .string(let s)), (.float, .string(let s)):
            return Double(s.trimmingSpaces) == nil ? (kind == .int ? "an INT" : "a FLOAT") : nil
        case (.int, _): return "an INT"
        case (.float, _): return "a FLOAT"
        case (.boolean, .bool), (.boolean, .number): return nil
        case (.boolean, _): return "a BOOLEAN"
        case (.string, .string), (.string, .number): return nil
        case (.string, _): return "a STRING"
        case (.combo, .array), (.combo, .object): return spec.isMultiselect ? nil : "a COMBO"
        case (.combo, .bool): return "a COMBO"
        case (.dynamicCombo, _):
            let key = value.stringValue ?? value.idValue
            return spec.dynamicOptions.contains { $0.key == key } ? nil : "a COMBO of " + spec.dynamicOptions.map(\.key).joined(separator: ", ")
        default: return nil
        }
    }

    /// Reads the "control after generate" slot after a widget (and a combo's filter
    /// slot). A save from before the editor had the control has no such slot: a value
    /// that is not a control mode belongs to the next widget and is left for it.
    mutating func consumeControl(combo: Bool) -> ControlMode? {
        guard cursor < values.count else { return nil }
        let slot = values[cursor]
        let mode = slot.stringValue.flatMap(ControlMode.init(rawValue:))
        guard mode != nil || slot.isNull else { return nil }
        cursor += 1
        if combo, cursor < values.count, values[cursor].stringValue != nil || values[cursor].isNull { cursor += 1 }
        return mode
    }
}
