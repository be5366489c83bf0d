/// Widgets the editor's own extensions add to a node, which `/object_info` cannot tell:
/// the node reads them, so the prompt must carry them.
enum EditorExtensions {
    /// `CustomCombo` (the editor's `Comfy.CustomCombo` extension): after its `choice`
    /// combo the editor keeps a hidden `index` (the position of the choice among the
    /// options, -1 when absent) and one `optionN` text widget per option plus an empty
    /// last one. All are sent; the node's `INDEX` output is that `index`.
    static func extraWidgets(of className: String, saved: EditorNode.WidgetValues, choice: JSONValue?) -> [(String, JSONValue)] {
        guard className == "CustomCombo", case .positional(let values) = saved, values.count >= 2 else { return [] }
        let options = Array(values.dropFirst(2))
        let index = choice.flatMap { choice in options.firstIndex(of: choice) } ?? -1
        var out: [(String, JSONValue)] = [("index", .number(Double(index)))]
        for (i, option) in options.enumerated() { out.append(("option\(i + 1)", option)) }
        return out
    }
}
