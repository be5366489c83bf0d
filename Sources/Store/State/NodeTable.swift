/// The node table of `NodesState`: a dictionary split in 16 by the last byte of the node
/// id (node ids are numbers, so the shards fill evenly).
///
/// Why: a front end keeps the state before each change to diff against, so the reducer's
/// first write to a plain dictionary copied the whole table — for a 1 000-node graph,
/// 1 000 entries copied and later freed on every progress tick, about half the cost of a
/// dispatch and its diff. Split, a write copies the one shard it touches (and the
/// 16-entry list of shards); unchanged shards stay shared and compare equal in O(1).
struct NodeTable: Sendable, Equatable, Sequence {
    typealias Node = NodesState.Node
    static let shardCount = 16

    /// Empty until the first insert (most states have no nodes: no allocation for them).
    private var shards: [[String: Node]] = []

    // What `recomputeFraction` needs, kept as entries are written (derived: not part of
    // equality): top-level entries (no parent), how many of them are finished (each counts
    // 1), and the keys of the others. Summing the fractions of a 500-node table on every
    // snapshot walked and retained every entry; now it reads the few entries not finished
    // (with the memcmp in `StreamDecoder`: progress_state_500 +25%).
    /// Entries with no parent node.
    private(set) var topLevelCount = 0
    /// Of those, the finished ones.
    private(set) var topLevelFinished = 0
    /// Of those, the keys of the ones not finished.
    private(set) var topLevelOpen: Set<String> = []
    /// Every entry (summing the 16 shards' counts was on every snapshot's path).
    private(set) var count = 0

    /// Where an entry stands for the counts: (top level, finished and top level).
    @inline(__always)
    private static func kind(_ node: Node?) -> (top: Bool, done: Bool) {
        guard let node, node.parentNodeID == nil else { return (false, false) }
        return (true, node.state == .finished)
    }

    /// Keeps the counts in step with `key` going from `old` to `new`.
    @inline(__always)
    private mutating func note(_ key: String, from old: Node?, to new: Node?) {
        count += (new == nil ? 0 : 1) - (old == nil ? 0 : 1)
        let (wasTop, wasDone) = Self.kind(old)
        let (isTop, isDone) = Self.kind(new)
        note(key, wasTop: wasTop, wasDone: wasDone, isTop: isTop, isDone: isDone)
    }

    @inline(__always)
    private mutating func note(_ key: String, wasTop: Bool, wasDone: Bool, isTop: Bool, isDone: Bool) {
        if wasTop != isTop { topLevelCount += isTop ? 1 : -1 }
        if wasDone != isDone { topLevelFinished += isDone ? 1 : -1 }
        let wasOpen = wasTop && !wasDone
        let isOpen = isTop && !isDone
        if wasOpen != isOpen {
            if isOpen { topLevelOpen.insert(key) } else { topLevelOpen.remove(key) }
        }
    }

    init() {}

    init(_ dictionary: [String: Node]) {
        for (key, node) in dictionary { self[key] = node }
    }

    @inline(__always)
    static func shard(_ key: String) -> Int { Int((key.utf8.last ?? 0) & 15) }

    subscript(key: String) -> Node? {
        get { shards.isEmpty ? nil : shards[Self.shard(key)][key] }
        set {
            if shards.isEmpty {
                guard newValue != nil else { return }
                shards = Array(repeating: [:], count: Self.shardCount)
            }
            let k = Self.shard(key)
            let old = newValue.map { shards[k].updateValue($0, forKey: key) } ?? shards[k].removeValue(forKey: key)
            note(key, from: old, to: newValue)
        }
    }

    /// Room for `keys`, made before a large graph's first snapshot so that its inserts do
    /// not grow (rehash and move) every shard several times. Counted per shard: decimal
    /// ids end in one of ten digits, so ten shards take every entry and six none.
    mutating func reserve(keys: some Sequence<String>) {
        if shards.isEmpty { shards = Array(repeating: [:], count: Self.shardCount) }
        var counts = [Int](repeating: 0, count: Self.shardCount)
        for key in keys { counts[Self.shard(key)] += 1 }
        for k in shards.indices where shards[k].capacity < counts[k] { shards[k].reserveCapacity(counts[k]) }
    }

    /// Stores `node` under `key` unless it is already there; true when it wrote. One hash
    /// lookup either way.
    mutating func update(_ key: String, _ node: Node) -> Bool {
        if shards.isEmpty { shards = Array(repeating: [:], count: Self.shardCount) }
        let k = Self.shard(key)
        if let i = shards[k].index(forKey: key) {
            if shards[k].values[i] == node { return false }
            // The two fields the counts read, read in place (no copy of the old entry).
            let wasTop = shards[k].values[i].parentNodeID == nil
            let wasDone = wasTop && shards[k].values[i].state == .finished
            shards[k].values[i] = node
            let (isTop, isDone) = Self.kind(node)
            note(key, wasTop: wasTop, wasDone: wasDone, isTop: isTop, isDone: isDone)
        } else {
            shards[k][key] = node
            note(key, from: nil, to: node)
        }
        return true
    }

    var keys: [String] { shards.flatMap(\.keys) }
    var dictionary: [String: Node] {
        var out: [String: Node] = [:]
        out.reserveCapacity(count)
        for shard in shards { out.merge(shard) { a, _ in a } }
        return out
    }

    func makeIterator() -> FlattenSequence<[[String: Node]]>.Iterator { shards.joined().makeIterator() }

    /// Calls `body` with every entry: two plain loops, not the generic iterator of a
    /// joined sequence (walking the table that way was most of `recomputeFraction`,
    /// which runs on every tick).
    @inline(__always)
    func forEachEntry(_ body: (String, Node) -> Void) {
        for shard in shards {
            for (key, node) in shard { body(key, node) }
        }
    }

    /// The entries whose key satisfies `isIncluded` (untouched shards stay shared).
    func filter(keys isIncluded: (String) -> Bool) -> NodeTable {
        var out = self
        for k in out.shards.indices where out.shards[k].keys.contains(where: { !isIncluded($0) }) {
            for (key, node) in out.shards[k] where !isIncluded(key) { out.note(key, from: node, to: nil) }
            out.shards[k] = out.shards[k].filter { isIncluded($0.key) }
        }
        return out
    }

    static func == (a: NodeTable, b: NodeTable) -> Bool {
        if a.shards.isEmpty || b.shards.isEmpty { return a.count == b.count }
        for k in 0..<shardCount where a.shards[k] != b.shards[k] { return false }
        return true
    }
}
