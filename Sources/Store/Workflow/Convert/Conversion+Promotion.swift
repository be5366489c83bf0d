/// A subgraph input the instance shows as a widget ("promoted"): the first inner link of
/// the input that reaches a widget, directly or through a nested instance's own promoted
/// input (the editor's `SubgraphNode._resolveInputWidget`).
struct Promotion: Equatable {
    /// The inner node the link reaches.
    var target: String
    /// The widget on that node; nil when the target is a nested instance.
    var widget: String?
    /// The nested instance's input (an index into its definition's inputs).
    var innerPort: Int?
    /// The widget has a "control after generate": an older editor saved the control's
    /// value after it on the instance too.
    var hasControl: Bool
}

extension Conversion {
    /// For each input of a definition, its promotion, or nil when it is a socket only.
    mutating func promotions(of definition: EditorSubgraph, stack: [String] = []) -> [Promotion?] {
        if let known = promotionMemo[definition.id] { return known }
        var out: [Promotion?] = []
        for port in definition.inputs {
            var found: Promotion?
            for linkID in port.linkIDs {
                guard let link = definition.graph.links[linkID], let target = definition.graph.node(link.targetID),
                    target.inputs.indices.contains(link.targetSlot)
                else { continue }
                let slot = target.inputs[link.targetSlot]
                if let inner = workflow.subgraphs[target.type] {
                    guard !stack.contains(inner.id) && inner.id != definition.id,
                        let innerPort = inner.inputs.firstIndex(where: { $0.name == slot.name }),
                        let nested = promotions(of: inner, stack: stack + [definition.id])[innerPort]
                    else { continue }
                    found = Promotion(target: target.id, widget: nil, innerPort: innerPort, hasControl: nested.hasControl)
                    break
                }
                let spec = catalog[target.type]?.input(slot.widgetName ?? slot.name)
                guard let widget = slot.widgetName ?? (spec?.widget(of: target.type) != nil ? slot.name : nil) else { continue }
                if let spec, spec.widget(of: target.type) == nil { continue }
                found = Promotion(target: target.id, widget: widget, innerPort: nil, hasControl: spec?.control(of: target.type) != nil)
                break
            }
            out.append(found)
        }
        promotionMemo[definition.id] = out
        return out
    }

    /// The value an instance's promoted input `port` sends when nothing outside feeds it:
    /// a Primitive node's that drives it, else the instance's own saved value, else the
    /// inner widget's (a new-style save keeps it there).
    mutating func promotedValue(instance instanceID: String, in scopeID: Int, port: Int) -> WidgetValue? {
        guard let instance = scopes[scopeID].nodes[instanceID], let definition = workflow.subgraphs[instance.type]
        else { return nil }
        let promoted = promotions(of: definition)
        guard promoted.indices.contains(port), let promotion = promoted[port] else { return nil }
        let name = definition.inputs[port].name
        let group = scopes[scopeID].executionID(instanceID) + "." + name
        if let primitive = primitiveValues(in: scopeID)[instanceID]?[name] { return primitive }
        var interior = interiorValue(instance: instanceID, in: scopeID, port: port)
        if var control = interior?.control {
            control.group = group
            interior?.control = control
        }
        interior?.dynamicPrompt = false
        switch instance.widgetValues {
        case .positional(let values):
            // One slot per promoted input; a save that mirrors the inner layout keeps the
            // controls' slots too, so it is longer than that.
            let backed = promoted.indices.filter { promoted[$0] != nil }
            let withControls = values.count > backed.count
            var index = 0
            for i in backed {
                if i == port { break }
                index += 1
                if withControls, promoted[i]?.hasControl == true { index += 1 }
            }
            guard index < values.count, !values[index].isNull else { return interior }
            var control = interior?.control
            if withControls, promotion.hasControl, index + 1 < values.count,
                let mode = values[index + 1].stringValue.flatMap(ControlMode.init(rawValue:))
            {
                control = ValueControl(mode: mode, group: group)
            }
            return WidgetValue(name: name, value: values[index], control: control, dynamicPrompt: false, origin: .saved)
        case .named(let fields):
            guard let value = fields.first(where: { $0.key == name })?.value, !value.isNull else { return interior }
            return WidgetValue(name: name, value: value, control: interior?.control, dynamicPrompt: false, origin: .saved)
        case .none:
            return interior
        }
    }

    /// The inner widget behind a promoted input, through nested instances to the deepest.
    mutating func interiorValue(instance instanceID: String, in scopeID: Int, port: Int) -> WidgetValue? {
        guard let instance = scopes[scopeID].nodes[instanceID], let definition = workflow.subgraphs[instance.type],
            let child = childScope(of: scopeID, instance: instanceID)
        else { return nil }
        let promoted = promotions(of: definition)
        guard promoted.indices.contains(port), let promotion = promoted[port], let target = scopes[child].nodes[promotion.target]
        else { return nil }
        if let innerPort = promotion.innerPort { return interiorValue(instance: target.id, in: child, port: innerPort) }
        return widgetValues(of: target, in: child).first { $0.name == promotion.widget }
    }
}
