import Synchronization

/// The runtime front ends hold: it owns the `AppState`, applies actions through the
/// reducer one at a time, and tells subscribers what each action changed.
///
/// Thread-safe: `dispatch` may be called from any task. Changes reach every subscriber
/// in dispatch order.
public final class ComfyStore: Sendable {
    private struct Inner {
        var state: AppState
        var subscribers: [Int: AsyncStream<Change>.Continuation] = [:]
        var nextSubscriber = 0
        /// Followers of which prompts changed (`promptChanges()`), by subscription.
        var promptFollowers: [Int: PromptFollower] = [:]
        /// Followers of the events and the latest state (`eventBatches()`). An array, not a
        /// dictionary: written on every dispatch, and an element of an array is changed in
        /// place where one reached through a dictionary's optional was copied — with the
        /// batch's events, which made each append copy them all.
        var eventFollowers: [EventFollower] = []
    }

    /// What one `eventBatches()` follower has not read yet, and its deriver.
    struct EventFollower {
        let id: Int
        var deriver = ClientEvents()
        let progress: Bool
        var events: [ClientEvent] = []
        var changes = 0
        let signal: AsyncStream<Void>.Continuation
    }

    /// What one `promptChanges()` follower has not read yet.
    private struct PromptFollower {
        var ids: Set<String> = []
        /// A change whose prompts could not be told (no journal): any may have changed.
        var all = false
        let signal: AsyncStream<Void>.Continuation
    }

    private let inner: Mutex<Inner>

    /// A store holding `initialState` (by default one idle server, `default`).
    public init(initialState: AppState = AppState()) {
        inner = Mutex(Inner(state: initialState))
    }

    /// The current state (a value: later dispatches do not change it).
    public var state: AppState { inner.withLock { $0.state } }

    /// Applies `action` and returns the commands the reducer asked for.
    @discardableResult
    public func dispatch(_ action: ComfyAction) -> [Command] {
        inner.withLock { inner in
            guard !inner.subscribers.isEmpty || !inner.promptFollowers.isEmpty || !inner.eventFollowers.isEmpty else {
                return ComfyReducer.reduce(&inner.state, action)
            }
            guard !inner.subscribers.isEmpty || !inner.promptFollowers.isEmpty else { return Self.reduce(&inner, action) }
            let old = inner.state
            let commands = ComfyReducer.reduce(&inner.state, action)
            if !inner.eventFollowers.isEmpty { Self.tell(&inner, action, before: EventBasis(old)) }
            if !inner.subscribers.isEmpty {
                let change = Change(action: action, old: old, new: inner.state, commands: commands)
                for continuation in inner.subscribers.values { continuation.yield(change) }
            }
            if !inner.promptFollowers.isEmpty {
                let ids = inner.state.queue.changedPromptIDs(since: old.queue)
                guard ids?.isEmpty != true else { return commands }
                for key in inner.promptFollowers.keys {
                    if let ids { inner.promptFollowers[key]!.ids.formUnion(ids) } else { inner.promptFollowers[key]!.all = true }
                    inner.promptFollowers[key]!.signal.yield()
                }
            }
            return commands
        }
    }

    /// The reduction with only event followers: what they need of the state before it is
    /// kept, not the state itself (see `EventBasis`).
    private static func reduce(_ inner: inout Inner, _ action: ComfyAction) -> [Command] {
        let before = EventBasis(inner.state)
        let commands = ComfyReducer.reduce(&inner.state, action)
        tell(&inner, action, before: before)
        return commands
    }

    /// Derives the events `action` caused for each event follower, on the dispatch path:
    /// a follower that held each change's states instead would make every write of the
    /// next reduction a copy.
    private static func tell(_ inner: inout Inner, _ action: ComfyAction, before: EventBasis) {
        for index in inner.eventFollowers.indices {
            let progress = inner.eventFollowers[index].progress
            let events = inner.eventFollowers[index].deriver.derive(action, before: before, after: inner.state, progress: progress)
            inner.eventFollowers[index].events.append(contentsOf: events)
            inner.eventFollowers[index].changes += 1
            // Signalled when a batch begins only: until the follower takes it (under this
            // lock) that signal is unread or the follower is on its way — one wake-up a batch.
            if inner.eventFollowers[index].changes == 1 { inner.eventFollowers[index].signal.yield() }
        }
    }

    /// From now on, the events each change causes and the state after the latest, in
    /// batches: what came since the follower last read, all at once, with one wake-up for
    /// the lot — for a front end that draws at its own pace (the dashboard: at most 30
    /// frames a second). Every event is kept until read (`progress: false` leaves out
    /// progress reports: the state has the progress). Unlike `updates()`, nothing of a
    /// change is held for the follower but its events: a follower of every change holds
    /// each previous state, so each of the reducer's writes copies what it writes, and it
    /// wakes for every dispatch — which under a flood cost the store a third of its
    /// throughput. The events are derived as the store dispatches (a few comparisons, on
    /// the prompts the reduction wrote).
    public func eventBatches(progress: Bool = false) -> EventBatches {
        let (signal, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = inner.withLock { inner in
            inner.nextSubscriber += 1
            inner.eventFollowers.append(EventFollower(id: inner.nextSubscriber, progress: progress, signal: continuation))
            return inner.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            self?.inner.withLock { $0.eventFollowers.removeAll { $0.id == id } }
        }
        return EventBatches(signal: signal) { [self] in takeEvents(id) }
    }

    /// What event follower `id` has not read yet (emptied), with the state as it is now.
    func takeEvents(_ id: Int) -> EventBatch? {
        inner.withLock { inner in
            guard let index = inner.eventFollowers.firstIndex(where: { $0.id == id }), inner.eventFollowers[index].changes > 0 else { return nil }
            let batch = EventBatch(events: inner.eventFollowers[index].events, changes: inner.eventFollowers[index].changes, state: inner.state)
            inner.eventFollowers[index].events = []
            inner.eventFollowers[index].changes = 0
            return batch
        }
    }

    /// From now on, which prompts changed: each element is the ids of the prompt records
    /// written since the previous one was read (or `.unknown`: a change that could not
    /// say, after which any record may differ). Changes that come while the follower is busy are
    /// merged into one element, so it is never behind by more than one — for a follower
    /// that needs the latest record of each prompt that changed, not every change (the job
    /// store's writer: holding every change's states for it cost gigabytes when it fell
    /// behind 10 000 submissions). Read the records from `state`.
    public func promptChanges() -> PromptChanges {
        let (signal, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = inner.withLock { inner in
            inner.nextSubscriber += 1
            inner.promptFollowers[inner.nextSubscriber] = PromptFollower(signal: continuation)
            return inner.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.inner.withLock { $0.promptFollowers.removeValue(forKey: id) }
        }
        return PromptChanges(signal: signal) { [self] in takePromptChanges(id) }
    }

    /// What follower `id` has not read yet (emptied).
    func takePromptChanges(_ id: Int) -> ChangedPrompts? {
        inner.withLock { inner in
            guard let follower = inner.promptFollowers[id], follower.all || !follower.ids.isEmpty else { return nil }
            inner.promptFollowers[id]!.ids = []
            inner.promptFollowers[id]!.all = false
            return follower.all ? .unknown : .ids(follower.ids)
        }
    }

    /// Every change from now on: the action, the state before and after, the commands.
    /// `bufferingNewest` bounds the backlog of a slow subscriber (nil: keep everything).
    public func changes(bufferingNewest limit: Int? = nil) -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream<Change>.makeStream(
            bufferingPolicy: limit.map { .bufferingNewest($0) } ?? .unbounded)
        let id = inner.withLock { inner in
            inner.nextSubscriber += 1
            inner.subscribers[inner.nextSubscriber] = continuation
            return inner.nextSubscriber
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.inner.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }
}

/// Prompts that changed since a `PromptChanges` follower last read.
public enum ChangedPrompts: Sendable, Equatable {
    /// The records written (some may have been written back as they were).
    case ids(Set<String>)
    /// Any record may have changed (a change the journal could not describe).
    case unknown
}

/// Which prompts changed, merged while unread (see `ComfyStore.promptChanges()`).
public typealias PromptChanges = StoreFollowing<ChangedPrompts>

/// What one dispatch did.
public struct Change: Sendable {
    /// The action dispatched.
    public let action: ComfyAction
    /// The state before it.
    public let old: AppState
    /// The state after it.
    public let new: AppState
    /// What the reducer asked the live layer to do (a replay does not do it).
    public let commands: [Command]

    /// The state diff this action caused, per slice.
    public var diff: [DiffLine] { StateDiff.between(old, new) }
}

/// One change and the events it caused (see `ComfyStore.updates`).
public struct StoreUpdate: Sendable {
    /// The change: action, states before and after, commands.
    public let change: Change
    /// The events it caused, in the order a person should read them.
    public let events: [ClientEvent]
    /// The state after the change.
    public var state: AppState { change.new }
}

/// The store's changes with their events, derived by one `ClientEvents` per iterator, in
/// the subscriber's task (never on the dispatch path).
public struct StoreUpdates: AsyncSequence, Sendable {
    let changes: AsyncStream<Change>

    /// Iterates one subscription's changes, deriving each one's events with its own
    /// ``ClientEvents``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var changes: AsyncStream<Change>.Iterator
        /// The deriver: `untoldWarnings` at the end of a run asks it what it has not told.
        public var events = ClientEvents()

        /// The next change and the events it caused; nil once the subscription ends.
        public mutating func next() async -> StoreUpdate? {
            guard let change = await changes.next() else { return nil }
            return StoreUpdate(change: change, events: events.derive(change))
        }
    }

    /// An iterator with a deriver of its own.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(changes: changes.makeAsyncIterator())
    }
}

/// The store's events alone (see `ComfyStore.events`).
public struct ClientEventStream: AsyncSequence, Sendable {
    let updates: StoreUpdates

    /// Iterates one subscription's events, one at a time, in the order they were derived.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var updates: StoreUpdates.AsyncIterator
        var buffered: [ClientEvent] = []

        /// The next event; nil once the subscription ends.
        public mutating func next() async -> ClientEvent? {
            while buffered.isEmpty {
                guard let update = await updates.next() else { return nil }
                buffered = update.events.reversed()
            }
            return buffered.removeLast()
        }
    }

    /// An iterator over a subscription of its own.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(updates: updates.makeAsyncIterator())
    }
}

extension ComfyStore {
    /// Every change from now on with the `ClientEvent`s it caused: what a front end follows.
    public func updates(bufferingNewest limit: Int? = nil) -> StoreUpdates {
        StoreUpdates(changes: changes(bufferingNewest: limit))
    }

    /// Every `ClientEvent` from now on.
    public func events() -> ClientEventStream {
        ClientEventStream(updates: updates())
    }
}
