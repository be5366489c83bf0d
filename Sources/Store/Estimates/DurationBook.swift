/// What earlier runs taught of how long nodes and workflows take: learned from actions only
/// (the timestamps of a prompt's `executing` and `progress` messages), kept with the job
/// records in the job store, and read back by the next comfysh.
///
/// Four kinds of figure, each per server and for any server (`*`):
/// - a node of a workflow (``WorkflowShape/key`` and node id): the most specific;
/// - a node configuration (``WorkflowShape/Node/configKey``: its class and own settings),
///   which a new workflow reusing a known node finds;
/// - a node class, whatever its settings: the weakest;
/// - a whole workflow (its run time from execution start to success), for queue forecasts.
///
/// Each figure is a running mean over the last few runs (``Stat/window``), so a server
/// that gets faster or slower is followed within a few runs.
public struct DurationBook: Sendable, Equatable {
    /// One learned figure.
    public struct Stat: Sendable, Equatable {
        /// Mean seconds of a run (of the node, or of the whole workflow).
        public var seconds: Double
        /// Runs measured; 0 for a node only ever seen cached.
        public var runs: Int
        /// Mean seconds per step, for a node that reported steps.
        public var perStep: Double?
        /// Mean seconds from its last step to its end (a sampler's decode after its steps).
        public var tail: Double?
        /// The book's ``DurationBook/generation`` when this figure last changed: what a
        /// job store has not yet written.
        public internal(set) var changed: Int = 0

        /// A figure; `changed` is set by the book.
        public init(seconds: Double, runs: Int, perStep: Double? = nil, tail: Double? = nil) {
            self.seconds = seconds
            self.runs = runs
            self.perStep = perStep
            self.tail = tail
        }

        /// How many recent runs the mean follows: later runs weigh 1/8 each once there are
        /// eight, so the figure tracks a changed server instead of its whole past.
        public static let window = 8
    }

    /// The figures, by key (see ``DurationEntry/key``).
    public internal(set) var entries: [String: Stat] = [:]
    /// Counts the book's changes; each changed figure records it (``Stat/changed``).
    public internal(set) var generation = 0

    /// At most this many figures; past it the least recently changed are dropped.
    public static let capacity = 50_000

    /// An empty book.
    public init() {}

    /// Every figure changed after `generation` (all of them for 0): what to write.
    public func changes(since generation: Int) -> [DurationEntry] {
        entries.compactMap { $0.value.changed > generation ? DurationEntry(key: $0.key, stat: $0.value) : nil }
            .sorted { $0.key < $1.key }
    }

    // MARK: Keys

    static let any = "*"
    static func nodeKey(_ server: String, _ workflow: String, _ node: String) -> String { "n\u{1F}\(server)\u{1F}\(workflow)\u{1F}\(node)" }
    static func configKey(_ server: String, _ config: String) -> String { "c\u{1F}\(server)\u{1F}\(config)" }
    static func classKey(_ server: String, _ classType: String) -> String { "k\u{1F}\(server)\u{1F}\(classType)" }
    static func workflowKey(_ server: String, _ workflow: String) -> String { "w\u{1F}\(server)\u{1F}\(workflow)" }

    // MARK: Reading

    /// Whether a run of `workflow` was learned (on `server`, or on any).
    func knows(workflow: String, server: String) -> Bool {
        entries[Self.workflowKey(server, workflow)] != nil || entries[Self.workflowKey(Self.any, workflow)] != nil
    }

    /// The learned figure for `node` of `workflow` on `server`, and where it came from:
    /// this workflow's node (here, then on any server), the same configuration, the class.
    /// A node the workflow's earlier runs never ran (not needed by its outputs) is expected
    /// to take no time. nil: nothing is known. `sameSettings`: the figure is of this very
    /// node's settings (not of its class with others), so its step rate can be trusted
    /// before the node's own steps are measured.
    func expected(_ node: WorkflowShape.Node, workflow: String?, server: String) -> (stat: Stat, basis: EstimateBasis, sameSettings: Bool)? {
        if let workflow {
            for s in [server, Self.any] {
                if let stat = entries[Self.nodeKey(s, workflow, node.id)], stat.runs > 0 { return (stat, .workflow, true) }
            }
            if knows(workflow: workflow, server: server), entries[Self.nodeKey(server, workflow, node.id)] == nil,
                entries[Self.nodeKey(Self.any, workflow, node.id)] == nil
            {
                return (Stat(seconds: 0, runs: 1), .workflow, true)
            }
        }
        for key in [Self.configKey(server, node.configKey), Self.configKey(Self.any, node.configKey)] {
            if let stat = entries[key], stat.runs > 0 { return (stat, .nodeClass, true) }
        }
        for key in [Self.classKey(server, node.classType), Self.classKey(Self.any, node.classType)] {
            if let stat = entries[key], stat.runs > 0 { return (stat, .nodeClass, false) }
        }
        return nil
    }

    /// The learned run time of `workflow` on `server` (else on any server).
    public func seconds(ofWorkflow workflow: String, on server: String) -> Double? {
        (entries[Self.workflowKey(server, workflow)] ?? entries[Self.workflowKey(Self.any, workflow)]).map(\.seconds)
    }

    // MARK: Learning

    /// What a successful run measured of one node.
    struct NodeTiming: Equatable {
        var node: WorkflowShape.Node
        var seconds: Double
        var perStep: Double?
        var tail: Double?
    }

    /// Learns a successful run of `shape` on `server`: each node that ran, the nodes that
    /// came from cache (known to the workflow, timed by nothing), and the whole run.
    mutating func learn(server: String, shape: WorkflowShape, timings: [NodeTiming], cached: [String], total: Double) {
        generation += 1
        for t in timings {
            for key in [Self.nodeKey(server, shape.key, t.node.id), Self.nodeKey(Self.any, shape.key, t.node.id),
                        Self.configKey(server, t.node.configKey), Self.configKey(Self.any, t.node.configKey),
                        Self.classKey(server, t.node.classType), Self.classKey(Self.any, t.node.classType)] {
                add(key, seconds: t.seconds, perStep: t.perStep, tail: t.tail)
            }
        }
        for id in cached {
            for s in [server, Self.any] where entries[Self.nodeKey(s, shape.key, id)] == nil {
                var stat = Stat(seconds: 0, runs: 0)
                stat.changed = generation
                entries[Self.nodeKey(s, shape.key, id)] = stat
            }
        }
        for s in [server, Self.any] { add(Self.workflowKey(s, shape.key), seconds: total, perStep: nil, tail: nil) }
        trim()
    }

    private mutating func add(_ key: String, seconds: Double, perStep: Double?, tail: Double?) {
        guard seconds.isFinite, seconds >= 0 else { return }
        var stat = entries[key] ?? Stat(seconds: seconds, runs: 0)
        let n = Double(min(stat.runs + 1, Stat.window))
        stat.seconds += (seconds - stat.seconds) / n
        if let perStep, perStep.isFinite { stat.perStep = stat.perStep.map { $0 + (perStep - $0) / n } ?? perStep }
        if let tail, tail.isFinite { stat.tail = stat.tail.map { $0 + (tail - $0) / n } ?? tail }
        stat.runs += 1
        stat.changed = generation
        entries[key] = stat
    }

    /// Past ``capacity``, the least recently changed tenth goes.
    private mutating func trim() {
        guard entries.count > Self.capacity else { return }
        let keep = Self.capacity * 9 / 10
        let cut = entries.map(\.value.changed).sorted()[entries.count - keep]
        entries = entries.filter { $0.value.changed >= cut }
    }

    /// Figures read back from a job store: each replaces what the book has under its key,
    /// unless the book learned it since (a newer figure of this process wins).
    mutating func load(_ rows: [DurationEntry]) {
        for row in rows where entries[row.key].map({ $0.changed == 0 }) ?? true {
            var stat = row.stat
            stat.changed = 0  // read from the store: nothing to write back
            entries[row.key] = stat
        }
        trim()
    }
}

/// One figure of a ``DurationBook`` as a job store keeps it.
public struct DurationEntry: Sendable, Equatable {
    /// The figure's key: its kind (`n` node of a workflow, `c` node configuration, `k`
    /// node class, `w` workflow), the server (`*`: any) and the keys it is about, separated
    /// by U+001F.
    public var key: String
    /// The figure.
    public var stat: DurationBook.Stat

    /// An entry.
    public init(key: String, stat: DurationBook.Stat) {
        self.key = key
        self.stat = stat
    }
}
