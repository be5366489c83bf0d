import DequeModule

/// The server's queue as we know it, and a record of every prompt we know.
public struct QueueState: Sendable, Equatable {
    /// `queue_remaining` from the server: pending plus running, for all clients.
    public var remaining: Int?
    /// Every prompt we know, keyed by prompt id. Read-only: only the reducer writes
    /// records (through `setRecord`, which keeps the indexes below in step), so a front end
    /// cannot make them disagree.
    /// (The setter, for this module and `@testable` tests only, drops the indexes, so the
    /// next reducer write rebuilds them.)
    public internal(set) var prompts: [String: PromptRecord] {
        get { records }
        set {
            records = newValue
            dropIndexes()
        }
        _modify {
            dropIndexes()
            yield &records
        }
    }

    /// Forgets the derived indexes (rebuilt from the records when next needed): for tests
    /// that check the indexes change nothing.
    mutating func dropIndexes() {
        unfinishedIndex = nil
        finishedOrder = nil
    }
    /// Submissions the server refused (newest last, at most `rejectedCapacity`).
    public var rejected: [Rejection] = []
    /// Policy: a prompt of ours that the server no longer knows (it restarted and forgot
    /// its queue) is submitted again under the same id, once per time it is forgotten,
    /// instead of becoming `lost`. One forgotten after it had started may be what brought
    /// the server down, so that happens at most this many times; one forgotten while it
    /// waited is always sent again. 0 (the default: a library cannot know the user still
    /// wants it): never, it is `lost`. `comfysh run` allows 2, since the user asked for it.
    public var resubmitLimit = 0
    /// Finished prompts kept (the most recent ones): a session that runs for days sees
    /// prompts without end, and each record costs about a kilobyte. Unfinished prompts
    /// are always kept; the oldest finished one goes first.
    public static let finishedCapacity = 1_000
    /// Finished prompt ids in the order they finished (for eviction). Derived: not part of
    /// equality; nil when unknown (after a write through `prompts`), rebuilt when needed.
    var finishedOrder: Deque<String>? = []
    var nextSeen = 0
    /// The highest queue number seen from this server (its numbers only grow): what was
    /// there before we looked is at or below it.
    var highestNumber: Double?
    /// Prompts the server counted (`status`) that we have not identified since the last
    /// look at its queue.
    var unidentified = 0
    /// `nextSeen` when `unidentified` became non-zero: records seen after it are prompts we
    /// came to know since.
    var unidentifiedMark = 0

    mutating func noteNumber(_ number: Double) {
        if number > (highestNumber ?? -.infinity) { highestNumber = number }
    }
    var records: [String: PromptRecord] = [:]
    /// Ids of the prompts not in a final status (queued, running, ended): the only ones
    /// `runningIDs`, `pendingIDs` and `unfinishedIDs` need to look at. The record holds up
    /// to `finishedCapacity` finished prompts besides, and without the index each
    /// `executing` and `status` frame walked them all (measured: 13 k frames/s end to end
    /// with 10 000 prompts). Derived data: not part of equality. nil: unknown (see
    /// `prompts`), readers scan everything.
    var unfinishedIndex: Set<String>? = []

    public static func == (a: QueueState, b: QueueState) -> Bool {
        a.remaining == b.remaining && a.records == b.records && a.rejected == b.rejected && a.nextSeen == b.nextSeen
            && a.resubmitLimit == b.resubmitLimit && a.highestNumber == b.highestNumber && a.unidentified == b.unidentified
            && a.unidentifiedMark == b.unidentifiedMark
    }

    public static let rejectedCapacity = 50

    public struct Rejection: Sendable, Equatable {
        public var at: Timestamp
        public var promptID: String?
        public var status: Int
        public var type: String
        public var message: String
        public var details: String
        public var nodeErrors: [NodeError]
        public var extraInfo: JSONValue
    }

    public init() {}

    /// The record for `id`, created with `status`/`owner` if we did not know it.
    mutating func record(_ id: String, creating status: PromptRecord.Status, owner: PromptRecord.Owner)
        -> PromptRecord
    {
        if let existing = records[id] { return existing }
        nextSeen += 1
        return PromptRecord(id: id, status: status, owner: owner, seen: nextSeen)
    }

    /// Stores (or, with nil, removes) the record for `id`, keeping the index in step.
    mutating func setRecord(_ id: String, _ record: PromptRecord?) {
        if unfinishedIndex == nil { unfinishedIndex = Set(records.values.lazy.filter { !$0.status.isTerminal }.map(\.id)) }
        let wasFinished = records[id]?.status.isTerminal ?? false
        records[id] = record
        if let record, !record.status.isTerminal {
            unfinishedIndex!.insert(id)
        } else {
            unfinishedIndex!.remove(id)
        }
        if let record, record.status.isTerminal, !wasFinished { noteFinished(id) }
    }

    /// Remembers that `id` finished, and forgets the oldest finished prompts past the capacity.
    mutating func noteFinished(_ id: String) {
        if finishedOrder == nil {
            finishedOrder = Deque(records.values.filter { $0.status.isTerminal && $0.id != id }.sorted { $0.seen < $1.seen }.map(\.id))
        }
        finishedOrder!.append(id)
        while finishedOrder!.count > Self.finishedCapacity, let oldest = finishedOrder!.popFirst() {
            // Only a record still finished goes (a front end may have rewritten it).
            if records[oldest]?.status.isTerminal == true { records[oldest] = nil }
        }
    }

    /// The records not in a final status: from the index, or every record when it is unknown.
    var unfinishedRecords: [PromptRecord] {
        guard let unfinishedIndex else { return records.values.filter { !$0.status.isTerminal } }
        return unfinishedIndex.compactMap { records[$0] }
    }

    /// How many prompts the server should hold as far as we know (accepted, queued or
    /// running, not `ended`): counted on every `status` frame, so without sorting or a list.
    var heldCount: Int {
        let held = { (record: PromptRecord) in record.accepted && !record.status.isTerminal && record.status != .ended }
        guard let unfinishedIndex else { return records.values.lazy.filter(held).count }
        return unfinishedIndex.lazy.compactMap { self.records[$0] }.filter(held).count
    }

    /// Someone else's prompts wait on the server and we know of none running: the next
    /// one to start will not tell us (its events go to its owner).
    var observedWaitNothingRuns: Bool {
        let records = unfinishedRecords
        return !records.contains { $0.status == .running } && records.contains { $0.status == .queued && $0.owner == .observed && $0.accepted }
    }

    /// Whether a prompt other than `id` is running.
    func hasRunning(otherThan id: String) -> Bool {
        guard let unfinishedIndex else { return records.values.contains { $0.status == .running && $0.id != id } }
        return unfinishedIndex.contains { $0 != id && records[$0]?.status == .running }
    }

    /// Prompt ids running now (0 or 1 on a real server): derived from the records.
    public var runningIDs: [String] { unfinishedRecords.filter { $0.status == .running }.map(\.id).sorted() }

    /// Prompt ids the server holds in its queue, in run order (number, then id).
    public var pendingIDs: [String] {
        unfinishedRecords.filter { $0.status == .queued && $0.accepted }
            .sorted { ($0.number ?? .infinity, $0.id) < ($1.number ?? .infinity, $1.id) }.map(\.id)
    }

    /// Prompts that have not reached a final status (queued, running, or ended awaiting history).
    public var unfinishedIDs: [String] { unfinishedRecords.map(\.id).sorted() }

    /// Prompt ids in a stable listing order: by server number, then by when we learned of them.
    public var orderedIDs: [String] { records.values.sorted(by: Self.listingOrder).map(\.id) }

    /// The listing order: by server number (numbered first), then by when we learned of them.
    static func listingOrder(_ a: PromptRecord, _ b: PromptRecord) -> Bool {
        switch (a.number, b.number) {
        case let (x?, y?) where x != y: return x < y
        case (_?, nil): return true
        case (nil, _?): return false
        default: return a.seen < b.seen
        }
    }

    public var json: JSONValue {
        .object([
            JSONField("remaining", remaining.json),
            JSONField("running", runningIDs.json),
            JSONField("pending", pendingIDs.json),
            JSONField("prompts", .object(orderedIDs.map { JSONField($0, records[$0]!.json) })),
            JSONField("rejected", .array(rejected.map(\.json))),
            JSONField("resubmit_limit", .number(Double(resubmitLimit))),
        ])
    }
}

extension QueueState.Rejection {
    public var json: JSONValue {
        .object([
            JSONField("at", at.json),
            JSONField("prompt_id", promptID.json),
            JSONField("status", .number(Double(status))),
            JSONField("type", .string(type)),
            JSONField("message", .string(message)),
            JSONField("details", .string(details)),
            JSONField("node_errors", .array(nodeErrors.map(\.json))),
            JSONField("extra_info", extraInfo),
        ])
    }
}
