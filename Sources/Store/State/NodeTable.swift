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
            shards[Self.shard(key)][key] = newValue
        }
    }

    /// Stores `node` under `key` unless it is already there; true when it wrote. One hash
    /// lookup either way.
    mutating func update(_ key: String, _ node: Node) -> Bool {
        if shards.isEmpty { shards = Array(repeating: [:], count: Self.shardCount) }
        let k = Self.shard(key)
        if let i = shards[k].index(forKey: key) {
            if shards[k].values[i] == node { return false }
            shards[k].values[i] = node
        } else {
            shards[k][key] = node
        }
        return true
    }

    var count: Int { shards.reduce(0) { $0 + $1.count } }
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
