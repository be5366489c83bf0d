/// Our queue in order (`QueueState.waitingOrder`): sorted keys kept in chunks of up to
/// `2 × chunkSize`.
///
/// Why chunks rather than one deque: a front end keeps the state before each change, so
/// the reducer's first write to a shared deque of 10 000 keys copied all of them (a tenth
/// of a completion's dispatch+diff, measured) — and a follower that fell behind kept a
/// copy per change. Here a write copies the list of chunks (one reference per 64 keys)
/// and the one chunk it touches; the others stay shared.
struct WaitingOrder: Sendable, Equatable, Sequence {
    typealias Key = QueueState.WaitingKey
    static let chunkSize = 64

    /// Sorted, each non-empty; every key of a chunk sorts before (or equal to) the next chunk's.
    private var chunks: [[Key]] = []
    /// How many keys in all.
    private(set) var count = 0

    init() {}

    /// The keys of `sorted`, which must be in order.
    init(sorted: [Key]) {
        var start = 0
        while start < sorted.count {
            let end = Swift.min(sorted.count, start + Self.chunkSize)
            chunks.append(Array(sorted[start..<end]))
            start = end
        }
        count = sorted.count
    }

    var isEmpty: Bool { count == 0 }
    var last: Key? { chunks.last?.last }

    static func == (a: WaitingOrder, b: WaitingOrder) -> Bool {
        a.count == b.count && a.elementsEqual(b) { $0.id == $1.id && $0.priority == $1.priority && $0.seen == $1.seen }
    }

    /// Inserts `key` after the keys that do not sort after it.
    mutating func insert(_ key: Key) {
        count += 1
        guard !chunks.isEmpty else {
            chunks = [[key]]
            return
        }
        var c = chunks.partitioningIndex { key < $0.last! }
        if c == chunks.count { c -= 1 }
        chunks[c].insert(key, at: chunks[c].partitioningIndex { key < $0 })
        if chunks[c].count > 2 * Self.chunkSize {
            let tail = Array(chunks[c][Self.chunkSize...])
            chunks[c].removeSubrange(Self.chunkSize...)
            chunks.insert(tail, at: c + 1)
        }
    }

    /// Removes the key with `key`'s id: found by its place in the order (a binary search),
    /// or, if it is not there (a record rewritten behind the reducer's back), by its id.
    mutating func remove(_ key: Key) {
        let c = chunks.partitioningIndex { !($0.last! < key) }
        if c < chunks.count {
            let at = chunks[c].partitioningIndex { !($0 < key) }
            if at < chunks[c].count, chunks[c][at].id == key.id { return remove(chunk: c, at: at) }
        }
        for c in chunks.indices {
            if let at = chunks[c].firstIndex(where: { $0.id == key.id }) { return remove(chunk: c, at: at) }
        }
    }

    private mutating func remove(chunk c: Int, at index: Int) {
        count -= 1
        if chunks[c].count == 1 {
            chunks.remove(at: c)
        } else {
            chunks[c].remove(at: index)
        }
    }

    /// Up to `limit` keys in order after `key` (nil: from the first).
    func keys(after key: Key?, limit: Int) -> [Key] {
        guard !chunks.isEmpty, limit > 0 else { return [] }
        var c = 0
        var at = 0
        if let key {
            c = chunks.partitioningIndex { key < $0.last! }
            guard c < chunks.count else { return [] }
            at = chunks[c].partitioningIndex { key < $0 }
        }
        var out: [Key] = []
        while c < chunks.count, out.count < limit {
            let chunk = chunks[c]
            out += chunk[at..<Swift.min(chunk.count, at + limit - out.count)]
            c += 1
            at = 0
        }
        return out
    }

    /// The last `n` keys, in order.
    func suffix(_ n: Int) -> [Key] {
        var parts: [ArraySlice<Key>] = []
        var left = n
        var c = chunks.count - 1
        while left > 0, c >= 0 {
            let part = chunks[c].suffix(left)
            parts.append(part)
            left -= part.count
            c -= 1
        }
        return parts.reversed().flatMap { $0 }
    }

    func makeIterator() -> Iterator { Iterator(chunks: chunks) }

    /// The keys in order.
    struct Iterator: IteratorProtocol {
        let chunks: [[Key]]
        var c = 0
        var at = 0
        init(chunks: [[Key]]) { self.chunks = chunks }
        mutating func next() -> Key? {
            while c < chunks.count {
                if at < chunks[c].count {
                    defer { at += 1 }
                    return chunks[c][at]
                }
                c += 1
                at = 0
            }
            return nil
        }
    }
}
