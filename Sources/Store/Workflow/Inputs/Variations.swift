/// `--vary NODE.INPUT=a,b,c` or `--vary NODE.INPUT=1..8`: one prompt per value, and with
/// several `--vary`, one per combination (the first `--vary` changes slowest).
public struct Variation: Sendable, Hashable {
    public var target: String
    /// The values as written: items between commas (`\,` is a comma inside one), or the
    /// integers of a `low..high` range when the input takes numbers.
    public var items: [String]
    /// `low..high`, kept apart: only a numeric input reads it as a range.
    public var range: (low: Int, high: Int)?
    public var argument: String

    public static func == (a: Variation, b: Variation) -> Bool {
        a.target == b.target && a.items == b.items && a.range?.low == b.range?.low && a.range?.high == b.range?.high
            && a.argument == b.argument
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(target)
        hasher.combine(items)
        hasher.combine(argument)
    }

    public static func parse(_ argument: String) throws(InputError) -> Variation {
        let option = "--vary"
        let head = try InputOverride.parse(argument, option: option)
        var items: [String] = []
        var current = ""
        var escaped = false
        for c in head.text {
            if escaped {
                if c != "," { current.append("\\") }
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "," {
                items.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        if escaped { current.append("\\") }
        items.append(current)
        let quoted = "\(option) \(JSONWriter.quoted(argument))"
        if items.contains(where: \.isEmpty) { throw InputError("\(quoted): an empty value; give values as a,b,c or a range low..high") }
        var range: (Int, Int)?
        if items.count == 1, let (low, high) = Self.integerRange(items[0]) {
            guard low <= high else { throw InputError("\(quoted): the range \(low)..\(high) is empty; write it low..high") }
            guard high - low < Variations.limit else {
                throw InputError("\(quoted): the range \(low)..\(high) has \(high - low + 1) values; at most \(Variations.limit) in one batch")
            }
            range = (low, high)
        }
        return Variation(target: head.target, items: items, range: range, argument: argument)
    }

    /// `low..high` with integer ends.
    static func integerRange(_ text: String) -> (Int, Int)? {
        let chars = Array(text)
        for i in chars.indices.dropFirst() where i + 1 < chars.count && chars[i] == "." && chars[i + 1] == "." {
            guard let low = Int(String(chars[..<i])), let high = Int(String(chars[(i + 2)...])) else { return nil }
            return (low, high)
        }
        return nil
    }

    public init(target: String, items: [String], range: (low: Int, high: Int)? = nil, argument: String) {
        self.target = target
        self.items = items
        self.range = range
        self.argument = argument
    }
}

/// One prompt of a batch: the values it sets and a label naming them.
public struct Combination: Sendable, Hashable {
    public var values: [Assignment]
    /// `KSampler.seed=1 KSampler.cfg=7`: the `--vary` targets as written, with the values.
    public var label: String

    public struct Assignment: Sendable, Hashable {
        public var input: SettableInput
        public var value: JSONValue
        public var target: String

        public init(input: SettableInput, value: JSONValue, target: String) {
            self.input = input
            self.value = value
            self.target = target
        }
    }

    public init(values: [Assignment], label: String) {
        self.values = values
        self.label = label
    }
}

public enum Variations {
    /// The most prompts one batch may make.
    public static let limit = 1000

    /// The combinations, checked: every target names a settable input, no input is varied
    /// twice or also given with `--set`, and every value fits the input. No `--vary`
    /// gives one empty combination.
    public static func combinations(
        _ variations: [Variation], prompt: APIPrompt, catalog: NodeCatalog, fixed: [InputOverride] = []
    ) throws(InputError) -> [Combination] {
        let resolver = InputResolver(prompt: prompt, catalog: catalog)
        var axes: [[Combination.Assignment]] = []
        var seen: [String: String] = [:]
        for override in fixed {
            if let input = try? resolver.input(override.target, argument: override.argument, option: override.option) {
                seen["\(input.nodeID).\(input.name)"] = "--set"
            }
        }
        for variation in variations {
            let quoted = "--vary \(JSONWriter.quoted(variation.argument))"
            let input = try resolver.input(variation.target, argument: variation.argument, option: "--vary")
            let key = "\(input.nodeID).\(input.name)"
            if let earlier = seen[key] {
                throw InputError("\(quoted): \(key) is already given with \(earlier)")
            }
            seen[key] = "--vary"
            var texts = variation.items
            if let range = variation.range, input.kind == .int || input.kind == .float {
                texts = (range.low...range.high).map(String.init)
            }
            var axis: [Combination.Assignment] = []
            for text in texts {
                let value = try resolver.value(text, for: input, argument: variation.argument, option: "--vary")
                axis.append(Combination.Assignment(input: input, value: value, target: variation.target))
            }
            axes.append(axis)
        }
        let total = axes.reduce(1) { $0 * $1.count }
        guard total <= limit else {
            throw InputError("--vary: \(total) combinations; at most \(limit) in one batch")
        }
        var out: [[Combination.Assignment]] = [[]]
        for axis in axes {
            out = out.flatMap { prefix in axis.map { prefix + [$0] } }
        }
        return out.map { values in
            Combination(
                values: values,
                label: values.map { "\($0.target)=\(SettableInput.text($0.value))" }.joined(separator: " "))
        }
    }
}

extension APIPrompt {
    /// The prompt with one combination's values set.
    public func applying(_ combination: Combination, catalog: NodeCatalog) -> APIPrompt {
        var out = self
        for assignment in combination.values { out.set(assignment.input, to: assignment.value, catalog: catalog) }
        return out
    }
}
