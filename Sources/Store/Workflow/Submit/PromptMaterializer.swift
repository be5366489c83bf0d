/// What to do with the values the editor would change between runs ("control after
/// generate": seeds, mostly).
public enum SeedPolicy: String, Sendable, Hashable, CaseIterable {
    /// As each widget says: `randomize` gets a fresh value for every submission,
    /// `increment`/`decrement` step once per submission of a batch, `fixed` keeps its value.
    case asSaved = "saved"
    /// Every value as saved.
    case fixed
    /// Every widget that has the control gets a fresh value, whatever its saved mode.
    case randomize
}

/// Turns a converted prompt into the one to send for one submission: the controls
/// applied (a fresh seed where the editor would make one) and dynamic prompts resolved.
/// Pure: the randomness comes from the caller.
public struct PromptMaterializer: Sendable {
    public let catalog: NodeCatalog
    public var seeds: SeedPolicy

    public init(catalog: NodeCatalog, seeds: SeedPolicy = .asSaved) {
        self.catalog = catalog
        self.seeds = seeds
    }

    /// The prompt of submission number `index` (0 for the first of a batch).
    public func submission(_ prompt: APIPrompt, index: Int = 0, using random: inout some RandomNumberGenerator) -> APIPrompt {
        var out = prompt
        var decided: [String: JSONValue] = [:]
        for n in out.nodes.indices {
            let schema = catalog[out.nodes[n].classType]
            for i in out.nodes[n].inputs.indices {
                let input = out.nodes[n].inputs[i]
                guard case .value(let value) = input.value else { continue }
                if let control = input.control, seeds != .fixed {
                    let mode = seeds == .randomize ? .randomize : control.mode
                    if let known = decided[control.group] {
                        out.nodes[n].inputs[i].value = .value(known)
                    } else if let spec = schema?.spec(for: input.name, of: prompt.nodes[n]) {
                        let next = Self.apply(mode, to: value, spec: spec, className: out.nodes[n].classType, index: index, using: &random)
                        decided[control.group] = next
                        out.nodes[n].inputs[i].value = .value(next)
                    }
                }
                if input.dynamicPrompt, case .value(.string(let text)) = out.nodes[n].inputs[i].value, DynamicPrompt.hasSyntax(text) {
                    out.nodes[n].inputs[i].value = .value(.string(DynamicPrompt.resolve(text, using: &random)))
                }
            }
        }
        return out
    }

    /// The editor's `applyWidgetControl`, once per submission.
    static func apply(
        _ mode: ControlMode, to value: JSONValue, spec: InputSpec, className: String, index: Int,
        using random: inout some RandomNumberGenerator
    ) -> JSONValue {
        if spec.widget(of: className) == .combo {
            let choices = spec.choices
            guard !choices.isEmpty else { return value }
            let current = choices.firstIndex(of: value) ?? 0
            let chosen: Int
            switch mode {
            case .fixed: return value
            case .increment: chosen = min(choices.count - 1, current + index)
            case .incrementWrap: chosen = (current + index) % choices.count
            case .decrement: chosen = max(0, current - index)
            case .randomize: chosen = Int(Double.random(in: 0..<1, using: &random) * Double(choices.count))
            }
            return choices[chosen]
        }
        guard let number = value.doubleValue else { return value }
        // Like the editor: the range is capped at 2^50, which a double holds exactly.
        let limit = 1_125_899_906_842_624.0
        let lower = max(-limit, spec.minimum ?? 0)
        let upper = min(limit, spec.maximum ?? 2048)
        let step = spec.step.flatMap { $0 > 0 ? $0 : nil } ?? 1
        var next: Double
        switch mode {
        case .fixed: return value
        case .increment, .incrementWrap: next = number + step * Double(index)
        case .decrement: next = number - step * Double(index)
        case .randomize:
            let range = (upper - lower) / step
            next = (Double.random(in: 0..<1, using: &random) * range).rounded(.down) * step + lower
        }
        return .number(min(upper, max(lower, next)))
    }
}
