/// The difference between two states, slice by slice, so its cost follows what changed
/// rather than the size of the state: a slice that was not written to compares equal
/// in O(1) (its storage is shared with the previous state), the prompt and node tables
/// are compared entry by entry and only changed entries are rendered, and the log
/// contributes only the entries appended since.
public enum StateDiff {
    /// Paths that change with nearly every frame; front ends hide them unless verbose.
    public static let quietPaths: Set<String> = ["connection.last_frame_at", "progress.updated_at"]

    ///
    /// The first server's connection, nodes and progress are named as before fleets
    /// (`connection.…`, `nodes.…`, `progress.…`); every other server's under
    /// `servers.<name>.…`, and what only a fleet has (a server's status, queue length,
    /// catalogue) under `servers.<name>.…` for every server.
    public static func between(_ old: AppState, _ new: AppState) -> [DiffLine] {
        var out: [DiffLine] = []
        let samePrimary = old.servers.first?.name == new.servers.first?.name
        if samePrimary, let a = old.servers.first, let b = new.servers.first {
            slices(a, b, prefix: "", into: &out)
        }
        if old.queue != new.queue { queue(old.queue, new.queue, into: &out) }
        if old.servers != new.servers { servers(old, new, samePrimary: samePrimary, into: &out) }
        if old.log != new.log {
            for entry in new.log.entries(after: old.log.total) {
                out.append(DiffLine(.added, "log[\(entry.seq)]", new: entry.json))
            }
        }
        return out
    }

    /// One server's connection, nodes and progress, under `prefix` (empty for the first).
    static func slices(_ a: ServerState, _ b: ServerState, prefix: String, into out: inout [DiffLine]) {
        if a.connection != b.connection { connection(a.connection, b.connection, at: prefix + "connection", into: &out) }
        nodes(a.nodes, b.nodes, at: prefix + "nodes", into: &out)  // field by field: its table may be large
        if a.progress != b.progress { progress(a.progress, b.progress, at: prefix + "progress", into: &out) }
    }

    static func connection(_ a: ConnectionState, _ b: ConnectionState, at path: String, into out: inout [DiffLine]) {
        // Almost every frame changes only `last_frame_at`: say so without building and
        // walking both connection objects.
        var unchanged = a
        unchanged.lastFrameAt = b.lastFrameAt
        if unchanged == b {
            out.append(DiffLine(.changed, path + ".last_frame_at", old: a.lastFrameAt?.json ?? .null, new: b.lastFrameAt?.json ?? .null))
        } else {
            JSONDiff.diff(a.json, b.json, at: path, into: &out)
        }
    }

    /// Servers that joined or left, and what changed on each (the first's slices aside,
    /// which keep their old names).
    static func servers(_ old: AppState, _ new: AppState, samePrimary: Bool, into out: inout [DiffLine]) {
        for server in old.servers where new.server(named: server.name) == nil {
            out.append(DiffLine(.removed, "servers.\(server.name)", old: server.json))
        }
        for (index, server) in new.servers.enumerated() {
            let path = "servers.\(server.name)"
            guard let before = old.server(named: server.name) else {
                out.append(DiffLine(.added, path, new: server.json))
                continue
            }
            guard before != server else { continue }
            if before.status != server.status {
                out.append(DiffLine(.changed, path + ".status", old: .string(before.status.rawValue), new: .string(server.status.rawValue)))
            }
            // The only server's count is `queue.remaining` already.
            if before.remaining != server.remaining, new.servers.count > 1 {
                out.append(DiffLine(.changed, path + ".remaining", old: before.remaining.json, new: server.remaining.json))
            }
            if before.capabilities != server.capabilities {
                JSONDiff.diff(before.json["capabilities"] ?? .null, server.json["capabilities"] ?? .null, at: path + ".capabilities", into: &out)
            }
            if !(index == 0 && samePrimary) { slices(before, server, prefix: path + ".", into: &out) }
        }
    }

    static func queue(_ old: QueueState, _ new: QueueState, into out: inout [DiffLine]) {
        if old.remaining != new.remaining {
            out.append(DiffLine(.changed, "queue.remaining", old: old.remaining.json, new: new.remaining.json))
        }
        if old.records != new.records {
            JSONDiff.diff(old.runningIDs.json, new.runningIDs.json, at: "queue.running", into: &out)
            JSONDiff.diff(old.pendingIDs.json, new.pendingIDs.json, at: "queue.pending", into: &out)
            if old.waitingOrder != new.waitingOrder || old.waitingOrder == nil {
                JSONDiff.diff(old.waitingIDs.json, new.waitingIDs.json, at: "queue.waiting", into: &out)
            }
            table(old.records, new.records, at: "queue.prompts", json: \.json, into: &out)
        }
        if old.rejected != new.rejected {
            JSONDiff.diff(.array(old.rejected.map(\.json)), .array(new.rejected.map(\.json)), at: "queue.rejected", into: &out)
        }
    }

    /// Field by field, in the slice's JSON order, building JSON only for fields that
    /// changed: the same lines as diffing the two slices' JSON objects, which every tick
    /// built whole (texts and preview included).
    static func progress(_ a: ProgressState, _ b: ProgressState, at path: String, into out: inout [DiffLine]) {
        func field(_ key: String, _ x: JSONValue, _ y: JSONValue) { JSONDiff.diff(x, y, at: "\(path).\(key)", into: &out) }
        if a.promptID != b.promptID { field("prompt_id", a.promptID.json, b.promptID.json) }
        if a.node != b.node { field("node", a.node.json, b.node.json) }
        if a.value != b.value { field("value", .number(a.value), .number(b.value)) }
        if a.max != b.max { field("max", .number(a.max), .number(b.max)) }
        if a.fraction != b.fraction { field("fraction", .number(a.fraction), .number(b.fraction)) }
        if a.startedAt != b.startedAt { field("started_at", a.startedAt?.json ?? .null, b.startedAt?.json ?? .null) }
        if a.updatedAt != b.updatedAt { field("updated_at", a.updatedAt?.json ?? .null, b.updatedAt?.json ?? .null) }
        if a.stepsPerSecond != b.stepsPerSecond { field("steps_per_second", a.stepsPerSecond.json, b.stepsPerSecond.json) }
        if a.etaSeconds != b.etaSeconds { field("eta_seconds", a.etaSeconds.json, b.etaSeconds.json) }
        if a.etaBasis != b.etaBasis { field("eta_basis", a.etaBasis.map { .string($0.rawValue) } ?? .null, b.etaBasis.map { .string($0.rawValue) } ?? .null) }
        if a.texts != b.texts { field("texts", a.json["texts"] ?? .null, b.json["texts"] ?? .null) }
        if a.preview != b.preview { field("preview", a.json["preview"] ?? .null, b.json["preview"] ?? .null) }
    }

    static func nodes(_ old: NodesState, _ new: NodesState, at path: String, into out: inout [DiffLine]) {
        // Each field's JSON is built only when it changed: `executed` of a large graph is
        // a long list, and a progress tick does not touch it.
        if old.promptID != new.promptID { JSONDiff.diff(old.promptID.json, new.promptID.json, at: "\(path).prompt_id", into: &out) }
        if old.executing != new.executing { JSONDiff.diff(old.executing.json, new.executing.json, at: "\(path).executing", into: &out) }
        if old.executingDisplay != new.executingDisplay {
            JSONDiff.diff(old.executingDisplay.json, new.executingDisplay.json, at: "\(path).executing_display", into: &out)
        }
        if old.cached != new.cached { JSONDiff.diff(old.cached.json, new.cached.json, at: "\(path).cached", into: &out) }
        if old.executed != new.executed { JSONDiff.diff(old.executed.json, new.executed.json, at: "\(path).executed", into: &out) }
        if let keys = new.changedKeys(since: old) {
            // Only the entries the reduction wrote can differ.
            var seen = Set<String>()
            for key in keys.sorted(by: idOrder) where seen.insert(key).inserted {
                entry(old.table[key], new.table[key], at: "\(path).by_id.\(key)", json: \.json, into: &out)
            }
        } else if old.table != new.table {
            table(old.table.dictionary, new.table.dictionary, at: "\(path).by_id", json: \.json, into: &out)
        }
    }

    /// Entry-by-entry diff of a keyed table: equal entries cost one `==`, changed ones
    /// are diffed field by field, new ones are shown whole.
    static func table<Value: Equatable>(
        _ old: [String: Value], _ new: [String: Value], at path: String, json: (Value) -> JSONValue,
        into out: inout [DiffLine]
    ) {
        // Sort only the keys that changed: sorting every key (by `idOrder`, which parses
        // numbers) was most of the cost of diffing a large table.
        var removed: [String] = []
        for key in old.keys where new[key] == nil { removed.append(key) }
        for key in removed.sorted(by: idOrder) {
            out.append(DiffLine(.removed, "\(path).\(key)", old: json(old[key]!)))
        }
        var changed: [String] = []
        for (key, value) in new where old[key] != value { changed.append(key) }
        for key in changed.sorted(by: idOrder) {
            entry(old[key], new[key], at: "\(path).\(key)", json: json, into: &out)
        }
    }

    /// One entry of a keyed table: changed fields, or the whole entry added or removed.
    static func entry<Value: Equatable>(
        _ old: Value?, _ new: Value?, at path: String, json: (Value) -> JSONValue, into out: inout [DiffLine]
    ) {
        switch (old, new) {
        case let (a?, b?) where a != b: JSONDiff.diff(json(a), json(b), at: path, into: &out)
        case (nil, let b?): out.append(DiffLine(.added, path, new: json(b)))
        case (let a?, nil): out.append(DiffLine(.removed, path, old: json(a)))
        default: break
        }
    }
}
