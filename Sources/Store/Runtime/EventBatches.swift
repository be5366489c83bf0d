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
public typealias EventBatches = StoreFollowing<EventBatch>
