/// The nodes of the prompt the server is running (or ran last): one table per prompt,
/// replaced on every `progress_state` snapshot, then corrected by the reducer where the
/// server never says it (a failed or interrupted node stays `running` in its snapshots).
public struct NodesState: Sendable, Equatable {
    /// A node's `state` in `nodes.by_id`.
    public enum Phase: String, Sendable, Equatable {
        /// `running`; `finished`; `failed` (the node that raised); `interrupted` (the node that was
        /// stopped, and any other still running when the prompt ended).
        case running, finished, failed, interrupted
        /// The prompt ended and nobody told us how this node did (we were away, or the
        /// prompt was not ours); history settles it.
        case unknown
    }

    /// One node of the prompt: its state and step, and how it relates to the submitted graph.
    public struct Node: Sendable, Equatable {
        /// Where the node is. Once the prompt has ended, none is left `running`.
        public var state: Phase
        /// Its current step, out of `max`.
        public var value: Double
        /// Its number of steps (1 for a node that reports none).
        public var max: Double
        /// The node a UI should highlight for it, when the server says.
        public var displayNodeID: String?
        /// The node that expanded into this one, for nodes made at run time.
        public var parentNodeID: String?
        /// The node of the submitted graph it stands for (the outermost).
        public var realNodeID: String?

        /// A node in `state`, at step `value` of `max`.
        public init(
            state: Phase, value: Double = 0, max: Double = 1, displayNodeID: String? = nil,
            parentNodeID: String? = nil, realNodeID: String? = nil
        ) {
            self.state = state
            self.value = value
            self.max = max
            self.displayNodeID = displayNodeID
            self.parentNodeID = parentNodeID
            self.realNodeID = realNodeID
        }

        /// How far this node is, 0…1.
        public var fraction: Double {
            switch state {
            case .finished: return 1
            default: return max > 0 ? Swift.min(Swift.max(value / max, 0), 1) : 0
            }
        }

        /// One entry of `nodes.by_id`:
        /// `{state, value, max, display_node_id, parent_node_id, real_node_id}`.
        public var json: JSONValue {
            .object([
                JSONField("state", .string(state.rawValue)),
                JSONField("value", .number(value)),
                JSONField("max", .number(max)),
                JSONField("display_node_id", displayNodeID.json),
                JSONField("parent_node_id", parentNodeID.json),
                JSONField("real_node_id", realNodeID.json),
            ])
        }
    }

    /// Whose nodes these are; nil before any prompt ran.
    public var promptID: String?
    /// Node id (the inner, running id) → its state.
    ///
    /// A write through this property (a test, a front end, the reducer's rare paths)
    /// forgets the journal; the reducer's hot paths write through `set`, which keeps it.
    ///
    /// Stored as a `NodeTable` (see there); this property is a plain dictionary made from it,
    /// so reading it costs a copy of the table: the reducer and the diff use `table`.
    public var byID: [String: Node] {
        get { table.dictionary }
        set {
            table = NodeTable(newValue)
            forgetJournal()
        }
    }
    var table = NodeTable()

    // The journal: which entries the last reduction wrote, so the diff of a progress tick
    // in a 1 000-node graph looks at the one node that changed rather than comparing all
    // of them. Bookkeeping for `StateDiff`, not state: not part of equality.
    //
    // `version` names the table's contents: a new object whenever a reduction first
    // writes the table (or anything writes `byID`), so two tables with the same version
    // are the same table. `journal` lists the keys written since the table was `base`.
    // Versions are objects compared by identity, not values kept alongside the table:
    // keeping the previous table itself would force a copy of it on every write.
    var version: JournalVersion?
    var journal: (base: JournalVersion?, keys: [String])?
    var journalOpen = false

    /// Nodes served from the cache (`execution_cached`).
    public var cached: [String] = [] { didSet { doneIndex = nil } }
    /// Nodes that ran to completion in this prompt, in the order they finished.
    public var executed: [String] = [] { didSet { doneIndex = nil } }

    /// `executed` and `cached` as a set, kept from one snapshot to the next so that marking
    /// a 500-node snapshot's finished nodes is 500 lookups, not a set built anew each time
    /// (a fifth of reducing such a snapshot). Any write to either list drops it.
    /// Bookkeeping, not state: not part of equality.
    var doneIndex: Set<String>?

    /// The last `progress_state` list this table was made from, and the table's version
    /// right after: while the version is still the table's (nothing wrote it since), the
    /// next snapshot's entries equal to this list's at the same places are already in the
    /// table, and only the others are applied (a 500-node graph's snapshot differs from the
    /// previous one in a node or two). The array is the previous action's, shared, not
    /// copied. Bookkeeping, not state: not part of equality; dropped by `reset`.
    var lastSnapshot: (promptID: String, list: [ServerMessage.NodeProgress], version: JournalVersion, counts: SnapshotCounts)?

    /// Of a snapshot's list: the entries not pending, the running ones, and the first of
    /// those (-1: none). Kept with `lastSnapshot` so that the next one's are found from the
    /// entries that changed, not by reading every entry's state.
    struct SnapshotCounts {
        var listed = 0
        var running = 0
        var firstRunning = -1
    }
    /// The node executing now, and the node a UI should highlight for it.
    public var executing: String?
    /// The node a UI should highlight for ``executing`` (its display id).
    public var executingDisplay: String?

    /// No prompt, no nodes.
    public init() {}

    /// The same prompt, nodes, cached, executed and executing nodes. The bookkeeping the
    /// diff uses is not compared.
    public static func == (a: NodesState, b: NodesState) -> Bool {
        a.promptID == b.promptID && a.table == b.table && a.cached == b.cached && a.executed == b.executed
            && a.executing == b.executing && a.executingDisplay == b.executingDisplay
    }

    /// A reduction begins: its first write through `set` starts a new journal.
    mutating func beginReduction() {
        journalOpen = true
    }

    /// Writes one entry and records it in the journal.
    mutating func set(_ id: String, _ node: Node?) {
        openJournalIfNeeded()  // without a journal to extend: at least a new version
        table[id] = node
        journal?.keys.append(id)
    }

    /// Writes `node` under `id` unless it is already there (one hash lookup either way,
    /// for the in-place update of a snapshot).
    mutating func update(_ id: String, _ node: Node) {
        // The journal may open after the write: it records the version the table had
        // before this reduction, which the write does not change.
        guard table.update(id, node) else { return }
        openJournalIfNeeded()
        journal?.keys.append(id)
    }

    /// Room for nodes under `keys` (contents unchanged: no journal entry, no new version).
    mutating func reserveNodes(keys: some Sequence<String>) {
        table.reserve(keys: keys)
    }

    /// Changes the table in ways the journal does not follow (it is dropped).
    mutating func rewrite(_ body: (inout NodeTable) -> Void) {
        forgetJournal()
        body(&table)
    }

    private mutating func openJournalIfNeeded() {
        if journalOpen {
            journalOpen = false
            journal = (version, [])
            version = JournalVersion()
        } else if journal == nil {
            version = JournalVersion()
        }
    }

    mutating func forgetJournal() {
        version = JournalVersion()
        journal = nil
    }

    /// The keys whose entries may differ between `old` and this state, when this state's
    /// table is `old`'s plus the journal's writes; nil when that cannot be told (then
    /// every entry must be compared).
    func changedKeys(since old: NodesState) -> [String]? {
        if let version, version === old.version { return [] }
        guard let journal, let base = journal.base, base === old.version else { return nil }
        return journal.keys
    }

    /// Starts a fresh table for `promptID`.
    mutating func reset(for promptID: String) {
        self = NodesState()
        self.promptID = promptID
    }

    mutating func markExecuted(_ id: String) {
        if !executed.contains(id), !cached.contains(id) { executed.append(id) }
    }

    /// No node is left `running` once a prompt has ended: the ones still running become
    /// `phase` (finished on success, interrupted when the prompt was stopped, unknown
    /// when we do not know how it ended).
    mutating func settleRunning(as phase: Phase) {
        for (id, node) in table where node.state == .running || (node.state == .unknown && phase != .unknown) {
            rewrite { $0[id]!.state = phase }
            if phase == .finished {
                rewrite { $0[id]!.value = node.max }
                markExecuted(id)
            }
        }
        executing = nil
        executingDisplay = nil
    }

    /// The `nodes` object of the state's JSON (docs/state.md); node ids in numeric order.
    public var json: JSONValue {
        .object([
            JSONField("prompt_id", promptID.json),
            JSONField("executing", executing.json),
            JSONField("executing_display", executingDisplay.json),
            JSONField("by_id", .object(table.keys.sorted(by: idOrder).map { JSONField($0, table[$0]!.json) })),
            JSONField("cached", cached.json),
            JSONField("executed", executed.json),
        ])
    }
}

/// An identity for one version of a node table (see `NodesState.version`).
final class JournalVersion: Sendable {}
