/// What a store's changes caused since an `eventBatches()` follower last read.
public struct EventBatch: Sendable {
    /// The events, in the order they were derived (dispatch order).
    public let events: [ClientEvent]
    /// How many changes the batch spans.
    public let changes: Int
    /// The state after the latest of them.
    public let state: AppState
}

/// A store's events and latest state, in batches (see `ComfyStore.eventBatches(progress:)`).
public struct EventBatches: AsyncSequence, Sendable {
    public typealias Element = EventBatch

    let store: ComfyStore
    let id: Int
    let signal: AsyncStream<Void>

    /// Iterates the batches.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let store: ComfyStore
        let id: Int
        var signal: AsyncStream<Void>.Iterator

        /// What came since the last call; waits while nothing has. Nil once the
        /// subscription ends (the task is cancelled).
        public mutating func next() async -> EventBatch? {
            while await signal.next() != nil {
                if let batch = store.takeEvents(id) { return batch }
            }
            return nil
        }
    }

    /// An iterator over this subscription (one per subscription).
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(store: store, id: id, signal: signal.makeAsyncIterator())
    }
}
