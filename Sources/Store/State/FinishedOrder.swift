/// Finished prompt ids in the order they finished, oldest first (`QueueState.finishedOrder`,
/// for eviction past `QueueState.finishedCapacity`), in chunks of up to `chunkSize`.
///
/// Why chunks rather than one deque: each prompt that finishes is appended — and, past the
/// capacity, the oldest taken off — while a front end holds the state before, so a deque
/// of 1 000 ids was copied whole on every completion (and the copy freed with the old
/// state). Here a write copies the list of chunks and the chunk at the end it touches.
struct FinishedOrder: Sendable {
    static let chunkSize = 32

    /// Each non-empty; the first's ids before `head` are taken already.
    private var chunks: [[String]] = []
    private var head = 0
    /// How many ids are left.
    private(set) var count = 0

    init() {}

    /// The ids of `ids`, in their order.
    init(_ ids: some Sequence<String>) {
        for id in ids { append(id) }
    }

    /// Adds `id` after the others.
    mutating func append(_ id: String) {
        count += 1
        if let last = chunks.indices.last, chunks[last].count < Self.chunkSize {
            chunks[last].append(id)
        } else {
            var chunk: [String] = []
            chunk.reserveCapacity(Self.chunkSize)
            chunk.append(id)
            chunks.append(chunk)
        }
    }

    /// Takes off the oldest id; nil when there is none.
    mutating func popFirst() -> String? {
        guard count > 0 else { return nil }
        let id = chunks[0][head]
        count -= 1
        head += 1
        if head == chunks[0].count {
            chunks.removeFirst()
            head = 0
        }
        return id
    }
}
