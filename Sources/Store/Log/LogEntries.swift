/// The entries `LogState` keeps, oldest first: a ring in chunks of up to `chunkSize`.
///
/// Why chunks rather than one deque: a follower of the store's changes holds each change's
/// state before and after, and every appended entry made a new copy of the whole ring (500
/// entries, ~30 KB) — 10 000 submissions held in a follower's backlog were most of a
/// `comfysh run`'s memory (`comfysh-bench fleet` follow). Here an append copies the list of
/// chunks and the last chunk; dropping the oldest entry copies the first; the others stay
/// shared.
public struct LogEntries: RandomAccessCollection, Sendable, Equatable {
    public typealias Element = LogState.Entry
    static let chunkSize = 32

    /// The first chunk may be short (its oldest entries dropped), the last too (not yet
    /// full); every other chunk holds `chunkSize` entries. None is empty.
    private var chunks: [[Element]] = []
    public private(set) var count = 0

    init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "index out of range")
        let first = chunks[0].count
        if position < first { return chunks[0][position] }
        let rest = position - first
        return chunks[1 + rest / Self.chunkSize][rest % Self.chunkSize]
    }

    mutating func append(_ entry: Element) {
        count += 1
        if let last = chunks.indices.last, chunks[last].count < Self.chunkSize {
            chunks[last].append(entry)
        } else {
            chunks.append([entry])
        }
    }

    mutating func removeFirst() {
        guard !chunks.isEmpty else { return }
        count -= 1
        if chunks[0].count == 1 {
            chunks.removeFirst()
        } else {
            chunks[0].removeFirst()
        }
    }

    public static func == (a: LogEntries, b: LogEntries) -> Bool {
        // Shared chunks compare equal without reading an entry.
        a.count == b.count && (a.chunks == b.chunks || a.elementsEqual(b))
    }
}
