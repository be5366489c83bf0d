import HashTreeCollections

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
        // Servers are read in place through buffers: a server's state is large, and each
        // copy (`first`, iterating, a lookup by name) cost more than comparing it — most of
        // a progress tick's diff in a fleet of 32.
        old.servers.withUnsafeBufferPointer { a in
            new.servers.withUnsafeBufferPointer { b in
                let samePrimary = !a.isEmpty && !b.isEmpty && a[0].name == b[0].name
                if samePrimary, !sameValue(a, b, at: 0) { slices(a[0], b[0], prefix: "", into: &out) }
                if old.queue != new.queue { queue(old.queue, new.queue, into: &out) }
                servers(a, b, samePrimary: samePrimary, into: &out)
            }
        }
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
    static func servers(
        _ old: UnsafeBufferPointer<ServerState>, _ new: UnsafeBufferPointer<ServerState>, samePrimary: Bool, into out: inout [DiffLine]
    ) {
        // The same servers in the same order (nearly always): each compared with its place
        // in the old list. A server the action did not touch is told by its stamp, without
        // copying both states out of the buffers to compare them field by field — most
        // of a progress tick's dispatch+diff in a fleet of 32, measured.
        if old.count == new.count, old.indices.allSatisfy({ sameValue(old, new, at: $0) || old[$0].name == new[$0].name }) {
            for index in new.indices where !sameValue(old, new, at: index) && old[index] != new[index] {
                server(old[index], new[index], index: index, fleetSize: new.count, samePrimary: samePrimary, into: &out)
            }
            return
        }
        func position(_ name: String, in list: UnsafeBufferPointer<ServerState>) -> Int? { list.indices.first { list[$0].name == name } }
        for index in old.indices where position(old[index].name, in: new) == nil {
            out.append(DiffLine(.removed, "servers.\(old[index].name)", old: old[index].json))
        }
        for index in new.indices {
            guard let before = position(new[index].name, in: old) else {
                out.append(DiffLine(.added, "servers.\(new[index].name)", new: new[index].json))
                continue
            }
            if old[before] != new[index] {
                server(old[before], new[index], index: index, fleetSize: new.count, samePrimary: samePrimary, into: &out)
            }
        }
    }

    /// Whether the servers at `index` of both lists are known to be one value, untouched
    /// since (`ServerStamp`) — read in place, without copying either — and hold no NaN,
    /// which `==` finds unequal to itself (Python sends `NaN`; a server holding one got
    /// lines saying its NaN changed on every diff, and still does). Otherwise `==` decides.
    static func sameValue(_ old: UnsafeBufferPointer<ServerState>, _ new: UnsafeBufferPointer<ServerState>, at index: Int) -> Bool {
        guard let a = old.baseAddress, let b = new.baseAddress else { return false }
        return ServerStamp.same(a[index].stamp, b[index].stamp) && !holdsNaN(a + index)
    }

    /// Whether a number of the server that `==` compares by value (the ones a server sends,
    /// or that are worked out from them: progress, rate, ETA, queue number, round trip) is
    /// NaN. Read in place: the server is not copied. (Timestamps are the dispatcher's clock.)
    static func holdsNaN(_ server: UnsafePointer<ServerState>) -> Bool {
        server.pointee.progress.value.isNaN || server.pointee.progress.max.isNaN || server.pointee.progress.fraction.isNaN
            || server.pointee.progress.stepsPerSecond?.isNaN == true || server.pointee.progress.etaSeconds?.isNaN == true
            || server.pointee.progress.rateAnchor?.value.isNaN == true || server.pointee.highestNumber?.isNaN == true
            || server.pointee.connection.rttMs?.isNaN == true
    }

    /// What changed on one server.
    static func server(_ before: ServerState, _ server: ServerState, index: Int, fleetSize: Int, samePrimary: Bool, into out: inout [DiffLine]) {
        let path = "servers.\(server.name)"
        if before.status != server.status {
            out.append(DiffLine(.changed, path + ".status", old: .string(before.status.rawValue), new: .string(server.status.rawValue)))
        }
        // The only server's count is `queue.remaining` already.
        if before.remaining != server.remaining, fleetSize > 1 {
            out.append(DiffLine(.changed, path + ".remaining", old: before.remaining.json, new: server.remaining.json))
        }
        if before.capabilities != server.capabilities {
            JSONDiff.diff(before.json["capabilities"] ?? .null, server.json["capabilities"] ?? .null, at: path + ".capabilities", into: &out)
        }
        if !(index == 0 && samePrimary) { slices(before, server, prefix: path + ".", into: &out) }
    }

    static func queue(_ old: QueueState, _ new: QueueState, into out: inout [DiffLine]) {
        if old.remaining != new.remaining {
            out.append(DiffLine(.changed, "queue.remaining", old: old.remaining.json, new: new.remaining.json))
        }
        if let changed = new.changedPromptIDs(since: old) {
            // Only the records the reduction wrote can differ: the same lines as comparing
            // the two tables, in time that follows the reduction, not the 10 000 records.
            if !changed.isEmpty { prompts(old, new, changed: changed, into: &out) }
        } else if old.records != new.records {
            JSONDiff.diff(old.runningIDs.json, new.runningIDs.json, at: "queue.running", into: &out)
            JSONDiff.diff(old.pendingIDs.json, new.pendingIDs.json, at: "queue.pending", into: &out)
            if let before = old.waitingOrder, let after = new.waitingOrder {
                if before != after { waiting(before, after, into: &out) }
            } else {
                JSONDiff.diff(old.waitingIDs.json, new.waitingIDs.json, at: "queue.waiting", into: &out)
            }
            table(old.records.storage, new.records.storage, at: "queue.prompts", json: { $0.record.json }, into: &out)
        }
        if old.rejected != new.rejected {
            JSONDiff.diff(.array(old.rejected.map(\.json)), .array(new.rejected.map(\.json)), at: "queue.rejected", into: &out)
        }
    }

    /// `queue.running`, `pending`, `waiting` and `prompts` when the records `changed` (from
    /// the journal) are the only ones that may differ.
    static func prompts(_ old: QueueState, _ new: QueueState, changed: [String], into out: inout [DiffLine]) {
        // Each changed record's box taken once from each table: one reference to copy,
        // where reading a record copies the whole record.
        var pairs: [RecordPair] = []
        var seen = Set<String>()
        for id in changed where seen.insert(id).inserted {
            let a = old.records.box(id)
            let b = new.records.box(id)
            if a != b { pairs.append(RecordPair(id: id, old: a, new: b)) }
        }
        guard !pairs.isEmpty else { return }
        // Each list is a function of the records that pass its filter (and their order of
        // those): it can move only if a changed record passes it before or after.
        func touches(_ filter: (PromptRecord) -> Bool) -> Bool {
            pairs.contains { pair in pair.old.map { filter($0.record) } == true || pair.new.map { filter($0.record) } == true }
        }
        if touches({ $0.status == .running }) {
            JSONDiff.diff(old.runningIDs.json, new.runningIDs.json, at: "queue.running", into: &out)
        }
        if touches({ $0.status == .queued && $0.accepted }) {
            JSONDiff.diff(old.pendingIDs.json, new.pendingIDs.json, at: "queue.pending", into: &out)
        }
        waiting(old, new, changed: pairs, into: &out)
        // As `table` orders them: removed entries first, then the others, each by id.
        for pair in pairs.filter({ $0.new == nil }).sorted(by: { idOrder($0.id, $1.id) }) {
            out.append(wholeRecord(.removed, pair.old!.record, at: "queue.prompts.\(pair.id)"))
        }
        for pair in pairs.filter({ $0.new != nil }).sorted(by: { idOrder($0.id, $1.id) }) {
            if let a = pair.old {
                record(a.record, pair.new!.record, at: "queue.prompts.\(pair.id)", into: &out)
            } else {
                out.append(wholeRecord(.added, pair.new!.record, at: "queue.prompts.\(pair.id)"))
            }
        }
    }

    /// A record the reduction wrote, as it was and as it is (nil: none), boxed.
    struct RecordPair {
        let id: String
        let old: PromptTable.RecordBox?
        let new: PromptTable.RecordBox?
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
    static func table<Table: KeyedTable>(
        _ old: Table, _ new: Table, at path: String, json: (Table.Value) -> JSONValue, into out: inout [DiffLine]
    ) {
        // Sort only the keys that changed: sorting every key (by `idOrder`, which parses
        // numbers) was most of the cost of diffing a large table.
        var removed: [String] = []
        for (key, _) in old where new[key] == nil { removed.append(key) }
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

/// A table keyed by string (a dictionary, or the prompt table's storage), for `StateDiff.table`.
protocol KeyedTable<Value>: Sequence where Element == (key: String, value: Value) {
    associatedtype Value: Equatable
    subscript(key: String) -> Value? { get }
}

extension Dictionary: KeyedTable where Key == String, Value: Equatable {}
extension TreeDictionary: KeyedTable where Key == String, Value: Equatable {}
