/// The difference between two states, slice by slice, so its cost follows what changed
/// rather than the size of the state: a slice that was not written to compares equal
/// in O(1) (its storage is shared with the previous state), the prompt and node tables
/// are compared entry by entry and only changed entries are rendered, and the log
/// contributes only the entries appended since.
public enum StateDiff {
    /// Paths that change with nearly every frame; front ends hide them unless verbose.
    public static let quietPaths: Set<String> = ["connection.last_frame_at", "progress.updated_at"]

    public static func between(_ old: AppState, _ new: AppState) -> [DiffLine] {
        var out: [DiffLine] = []
        if old.connection != new.connection {
            JSONDiff.diff(old.connection.json, new.connection.json, at: "connection", into: &out)
        }
        if old.queue != new.queue { queue(old.queue, new.queue, into: &out) }
        if old.nodes != new.nodes { nodes(old.nodes, new.nodes, into: &out) }
        if old.progress != new.progress {
            JSONDiff.diff(old.progress.json, new.progress.json, at: "progress", into: &out)
        }
        if old.log != new.log {
            for entry in new.log.entries(after: old.log.total) {
                out.append(DiffLine(.added, "log[\(entry.seq)]", new: entry.json))
            }
        }
        return out
    }

    static func queue(_ old: QueueState, _ new: QueueState, into out: inout [DiffLine]) {
        if old.remaining != new.remaining {
            out.append(DiffLine(.changed, "queue.remaining", old: old.remaining.json, new: new.remaining.json))
        }
        if old.records != new.records {
            JSONDiff.diff(old.runningIDs.json, new.runningIDs.json, at: "queue.running", into: &out)
            JSONDiff.diff(old.pendingIDs.json, new.pendingIDs.json, at: "queue.pending", into: &out)
            table(old.records, new.records, at: "queue.prompts", json: \.json, into: &out)
        }
        if old.rejected != new.rejected {
            JSONDiff.diff(.array(old.rejected.map(\.json)), .array(new.rejected.map(\.json)), at: "queue.rejected", into: &out)
        }
    }

    static func nodes(_ old: NodesState, _ new: NodesState, into out: inout [DiffLine]) {
        // Each field's JSON is built only when it changed: `executed` of a large graph is
        // a long list, and a progress tick does not touch it.
        if old.promptID != new.promptID { JSONDiff.diff(old.promptID.json, new.promptID.json, at: "nodes.prompt_id", into: &out) }
        if old.executing != new.executing { JSONDiff.diff(old.executing.json, new.executing.json, at: "nodes.executing", into: &out) }
        if old.executingDisplay != new.executingDisplay {
            JSONDiff.diff(old.executingDisplay.json, new.executingDisplay.json, at: "nodes.executing_display", into: &out)
        }
        if old.cached != new.cached { JSONDiff.diff(old.cached.json, new.cached.json, at: "nodes.cached", into: &out) }
        if old.executed != new.executed { JSONDiff.diff(old.executed.json, new.executed.json, at: "nodes.executed", into: &out) }
        if old.byID != new.byID { table(old.byID, new.byID, at: "nodes.by_id", json: \.json, into: &out) }
    }

    /// Entry-by-entry diff of a keyed table: equal entries cost one `==`, changed ones
    /// are diffed field by field, new ones are shown whole.
    static func table<Value: Equatable>(
        _ old: [String: Value], _ new: [String: Value], at path: String, json: (Value) -> JSONValue,
        into out: inout [DiffLine]
    ) {
        for key in old.keys.sorted(by: idOrder) where new[key] == nil {
            out.append(DiffLine(.removed, "\(path).\(key)", old: json(old[key]!)))
        }
        var changed: [String] = []
        for (key, value) in new where old[key] != value { changed.append(key) }
        for key in changed.sorted(by: idOrder) {
            if let previous = old[key] {
                JSONDiff.diff(json(previous), json(new[key]!), at: "\(path).\(key)", into: &out)
            } else {
                out.append(DiffLine(.added, "\(path).\(key)", new: json(new[key]!)))
            }
        }
    }
}
