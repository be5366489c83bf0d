import ComfyCore

/// Renders an action and the state diff it caused for a person:
///
///     [0.0081] ← progress_state 61c72f8c 1:running                      (line 11)
///              + nodes.by_id.1: {"state":"running","value":0,"max":1,…}
///
/// Fields that change with every frame are hidden unless `verbose`.
struct DiffPrinter {
    var verbose = false
    var width = 120

    func render(action: ComfyAction, line: Int?, diff: [DiffLine], commands: [Command]) -> String {
        let shown = verbose ? diff : diff.filter { !StateDiff.quietPaths.contains($0.path) }
        let time = "[\(action.at)]"
        var out = "\(time) \(action.event.summary)"
        if let line { out += "  (line \(line))" }
        let indent = String(repeating: " ", count: time.count + 1)
        if shown.isEmpty, commands.isEmpty { out += "\n\(indent)(no change)" }
        for d in shown { out += "\n\(indent)\(d.rendered(width: width))" }
        for c in commands { out += "\n\(indent)⇒ \(c.summary)" }
        return out
    }

    func footer(_ state: AppState) -> String {
        let prompts = state.queue.orderedIDs.map { id in
            let p = state.queue.prompts[id]!
            return "  \(id)  \(p.status.rawValue)  (\(p.owner.rawValue), \(p.outputs.count) output node(s))"
        }
        return (["— final state: \(state.queue.prompts.count) prompt(s), queue remaining \(state.queue.remaining.map(String.init) ?? "?")"] + prompts)
            .joined(separator: "\n")
    }
}
