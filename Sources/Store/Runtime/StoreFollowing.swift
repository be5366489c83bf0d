/// A follower of a store that reads, when woken, what gathered for it since it last read
/// — the prompts that changed (`ComfyStore.promptChanges()`, ``PromptChanges``) or the
/// events and latest state (`ComfyStore.eventBatches()`, ``EventBatches``). The store
/// signals through a stream that holds one wake-up at most, so a follower that is busy is
/// woken once for all that came meanwhile.
public struct StoreFollowing<Element: Sendable>: AsyncSequence, Sendable {
    let signal: AsyncStream<Void>
    /// What gathered since the last read (emptied); nil when nothing did.
    let take: @Sendable () -> Element?

    /// Iterates what gathers.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var signal: AsyncStream<Void>.Iterator
        let take: @Sendable () -> Element?

        /// What gathered since the last call; waits while nothing has. Nil once the
        /// subscription ends (the task is cancelled).
        public mutating func next() async -> Element? {
            while await signal.next() != nil {
                if let element = take() { return element }
            }
            return nil
        }
    }

    /// An iterator over this subscription (one per subscription).
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(signal: signal.makeAsyncIterator(), take: take)
    }
}
