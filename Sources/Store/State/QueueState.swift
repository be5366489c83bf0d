import HashTreeCollections

/// The server's queue as we know it, and a record of every prompt we know.
public struct QueueState: Sendable, Equatable {
    /// `queue_remaining`: pending plus running, every client's, on every server that said
    /// (the sum of `ServerState.remaining`, kept here by the reducer).
    public internal(set) var remaining: Int?
    /// Policy: how many jobs of ours may wait on one server beyond the one it runs; the
    /// rest wait in our own queue (`waitingIDs`), so a server that dies loses at most what
    /// it was running and these. Set by the client (`ConnectionEvent.policy`).
    public internal(set) var maxWaitingPerServer = 1
    /// Every prompt we know, keyed by prompt id. Read-only: only the reducer writes
    /// records (through `setRecord`, which keeps the indexes below in step), so a front end
    /// cannot make them disagree.
    /// (The setter, for this module and `@testable` tests only, drops the indexes, so the
    /// next reducer write rebuilds them.)
    /// (A write through it also drops the journal: see `changedPromptIDs(since:)`.)
    public internal(set) var prompts: PromptTable {
        get { records }
        set {
            records = newValue
            dropIndexes()
            forgetJournal()
        }
        _modify {
            dropIndexes()
            forgetJournal()
            yield &records
        }
    }

    /// Forgets the derived indexes (rebuilt from the records when next needed): for tests
    /// that check the indexes change nothing.
    mutating func dropIndexes() {
        unfinishedIndex = nil
        finishedOrder = nil
        waitingOrder = nil
        serverIndex = nil
        heldIndex = nil
        runningOrder = nil
        runningIndex = nil
    }

    /// Unfinished prompts on each server, by id (derived: not part of equality; nil:
    /// unknown, readers filter the records).
    var serverIndex: [String: Set<String>]? = [:]
    /// How many of them are `queued` or `running`, per server: what routing weighs on every
    /// action (derived with `serverIndex`; nil: unknown, counted from the records).
    var heldIndex: [String: Int]? = [:]
    /// The running ones, per server (derived with `serverIndex`): whether another prompt
    /// runs is asked on every `executing` frame, and listing the server's records for it
    /// copied each (a record copy retains and releases its dozen strings and arrays).
    var runningIndex: [String: Set<String>]? = [:]

    /// The ids of the running prompts, sorted: `runningIDs` (derived: not part of
    /// equality; nil: unknown, read from the records). See `noteRunning`.
    var runningOrder: [String]? = []

    /// Jobs that joined our queue since routing last looked, and whether every waiting job
    /// must be looked at again (a catalogue changed): routing refuses the ones no server
    /// can run. Bookkeeping, not state: not part of equality.
    var unplaced: Set<String> = []
    var recheckWaiting = false

    /// Our queue in order (derived: not part of equality; nil: rebuilt when next needed).
    /// In chunks (`WaitingOrder`): the job that leaves is nearly always the first, and a
    /// new one joins at the end, both without moving — or, when the state before is held,
    /// copying — the thousands between.
    var waitingOrder: WaitingOrder? = WaitingOrder()
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
    /// In chunks (`FinishedOrder`): a deque of 1 000 ids was copied on every completion
    /// while the state before was held.
    var finishedOrder: FinishedOrder? = FinishedOrder()
    var nextSeen = 0

    var records = PromptTable() { didSet { lastBrief = nil } }

    /// What the reducer reads of a prompt on every tick and snapshot (is it running,
    /// accepted, whose, how many nodes), for the last prompt asked about, until any record
    /// is written. Reading them from `records` copied the whole record each time — the
    /// dictionary's getter returns a copy, retaining and releasing its dozen strings and
    /// arrays (measured: a tenth of decode+reduce) — and hashed the id. Derived data: not
    /// part of equality.
    struct Brief {
        var status: PromptRecord.Status
        var accepted: Bool
        var owner: PromptRecord.Owner
        var nodeCount: Int?
        var number: Double?
    }
    private var lastBrief: (id: String, brief: Brief)?

    /// `records[id]`'s status, acceptance, owner and node count; nil when there is no
    /// such record.
    mutating func brief(_ id: String) -> Brief? {
        if let lastBrief, lastBrief.id == id { return lastBrief.brief }
        guard let i = records.index(forKey: id) else { return nil }
        let record = records.values[i]
        let brief = Brief(status: record.status, accepted: record.accepted, owner: record.owner, nodeCount: record.nodeCount, number: record.number)
        lastBrief = (id, brief)
        return brief
    }
    /// Ids of the prompts not in a final status (queued, running, ended): the only ones
    /// `runningIDs`, `pendingIDs` and `unfinishedIDs` need to look at. The record holds up
    /// to `finishedCapacity` finished prompts besides, and without the index each
    /// `executing` and `status` frame walked them all (measured: 13 k frames/s end to end
    /// with 10 000 prompts). Derived data: not part of equality. nil: unknown (see
    /// `prompts`), readers scan everything.
    /// A hash trie, like the records: a set of 10 000 ids copied whole on every write (the
    /// state before held by a front end) cost more than the write.
    var unfinishedIndex: TreeSet<String>? = []

    // The journal: which records the current (or last) reduction wrote, so the diff, the
    // events and the job store's follower visit those instead of comparing every record
    // (22 ms per completion with 10 000 jobs waiting, measured). The same scheme as
    // `NodesState`'s for its node table. Bookkeeping, not state: not part of equality.
    //
    // `version` names the records' contents: a new object at a reduction's first write to
    // them (or at any write outside a reduction, or through `prompts`), so two states with
    // the same version have the same records. `journal` lists the ids written since the
    // records were `base`.
    var version: JournalVersion? = JournalVersion()
    var journal: (base: JournalVersion?, ids: [String])?
    var journalPhase = JournalPhase.idle

    /// Where the journal stands in the current reduction.
    enum JournalPhase {
        /// Outside a reduction: a write makes a new version without a journal.
        case idle
        /// A reduction began and has not written a record yet.
        case open
        /// The reduction has written: further writes extend its journal.
        case writing
    }

    public static func == (a: QueueState, b: QueueState) -> Bool {
        a.remaining == b.remaining && a.records == b.records && a.rejected == b.rejected && a.nextSeen == b.nextSeen
            && a.resubmitLimit == b.resubmitLimit && a.maxWaitingPerServer == b.maxWaitingPerServer
    }

    public static let rejectedCapacity = 50

    /// A reduction begins: its first write starts a new journal.
    mutating func beginReduction() { journalPhase = .open }

    /// The reduction is over: a later write (outside the reducer) is not journalled.
    mutating func endReduction() { journalPhase = .idle }

    /// Records that the entry for `id` is being written.
    private mutating func noteWritten(_ id: String) {
        switch journalPhase {
        case .open:
            journalPhase = .writing
            journal = (version, [id])
            version = JournalVersion()
        case .writing:
            if journal == nil { version = JournalVersion() } else { journal!.ids.append(id) }
        case .idle:
            forgetJournal()
        }
    }

    /// Forgets which records were written: the next diff compares them all.
    mutating func forgetJournal() {
        version = JournalVersion()
        journal = nil
    }

    /// The ids of the records that may differ between `old` and this state — the ones the
    /// reduction that made this state from `old` wrote (possibly repeated, in no order) —
    /// or nil when that cannot be told (this state is not `old` plus one reduction), and
    /// every record must be compared. Empty: the records are `old`'s.
    ///
    /// For a follower of the store's changes: what `Change.old` and `Change.new` differ in,
    /// without comparing thousands of records.
    public func changedPromptIDs(since old: QueueState) -> [String]? {
        if let version, version === old.version { return [] }
        guard let journal, let base = journal.base, base === old.version else { return nil }
        return journal.ids
    }

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
        setRecord(id, record, before: records[id])
    }

    /// The same, `before` being the record stored under `id` now, which the caller has
    /// read already (a lookup and a copy of the record fewer per write).
    mutating func setRecord(_ id: String, _ record: PromptRecord?, before: PromptRecord?) {
        if unfinishedIndex == nil { unfinishedIndex = TreeSet(records.values.lazy.filter { !$0.status.isTerminal }.map(\.id)) }
        if serverIndex == nil || heldIndex == nil || runningIndex == nil { rebuildServerIndex() }
        let wasFinished = before?.status.isTerminal ?? false
        if before?.status == .waiting || record?.status == .waiting { noteWaiting(before, record) }
        if before?.status == .running || record?.status == .running { noteRunning(id, before, record) }
        noteWritten(id)
        records[id] = record
        // The indexes are touched only when what they hold of the record changes (each
        // touch hashes the 36-byte id; most writes change neither its server nor whether
        // it is finished).
        let wasUnfinished = before.map { !$0.status.isTerminal } ?? false
        let isUnfinished = record.map { !$0.status.isTerminal } ?? false
        if wasUnfinished != isUnfinished {
            if isUnfinished { unfinishedIndex!.insert(id) } else { unfinishedIndex!.remove(id) }
        }
        let wasOn = Self.onServer(before) ? before?.server : nil
        let isOn = Self.onServer(record) ? record?.server : nil
        if serverIndex != nil, wasOn != isOn {
            if let server = wasOn { serverIndex![server]?.remove(id) }
            if let server = isOn { serverIndex![server, default: []].insert(id) }
        }
        if heldIndex != nil {
            if let server = before?.server, Self.isHeld(before) { heldIndex![server, default: 0] -= 1 }
            if let server = record?.server, Self.isHeld(record) { heldIndex![server, default: 0] += 1 }
        }
        if runningIndex != nil, before?.status == .running || record?.status == .running {
            if let server = before?.server, before?.status == .running { runningIndex![server]?.remove(id) }
            if let server = record?.server, record?.status == .running { runningIndex![server, default: []].insert(id) }
        }
        if let record, record.status.isTerminal, !wasFinished { noteFinished(id) }
    }

    /// Remembers that `id` finished, and forgets the oldest finished prompts past the capacity.
    mutating func noteFinished(_ id: String) {
        if finishedOrder == nil {
            finishedOrder = FinishedOrder(records.values.filter { $0.status.isTerminal && $0.id != id }.sorted { $0.seen < $1.seen }.map(\.id))
        }
        finishedOrder!.append(id)
        while finishedOrder!.count > Self.finishedCapacity, let oldest = finishedOrder!.popFirst() {
            // Only a record still finished goes (a front end may have rewritten it).
            if records[oldest]?.status.isTerminal == true {
                noteWritten(oldest)
                records[oldest] = nil
            }
        }
    }

    /// The records not in a final status: from the index, or every record when it is unknown.
    var unfinishedRecords: [PromptRecord] {
        guard let unfinishedIndex else { return records.values.filter { !$0.status.isTerminal } }
        return unfinishedIndex.compactMap { records[$0] }
    }

    /// The unfinished records on `server` (nil: every server, and our own queue): from the
    /// per-server index, so a fleet's checks on every frame look at that server's few
    /// prompts, not at a queue of thousands of waiting jobs.
    func unfinishedRecords(on server: String?) -> [PromptRecord] {
        guard let server else { return unfinishedRecords }
        guard let serverIndex else { return unfinishedRecords.filter { $0.server == server && Self.onServer($0) } }
        return serverIndex[server]?.compactMap { records[$0] } ?? []
    }

    /// Unfinished and on a server (not in our own queue).
    static func onServer(_ record: PromptRecord?) -> Bool {
        guard let record else { return false }
        return !record.status.isTerminal && record.status != .waiting
    }

    /// Queued or running: what a server holds of ours as far as routing counts.
    static func isHeld(_ record: PromptRecord?) -> Bool {
        record?.status == .queued || record?.status == .running
    }

    /// How many prompts on `server` are queued or running (from the index: no record is read).
    func heldOn(_ server: String) -> Int {
        if let heldIndex { return heldIndex[server] ?? 0 }
        return unfinishedRecords(on: server).lazy.filter { Self.isHeld($0) }.count
    }

    /// Ids of the prompts queued or running on `server`, sorted: from the per-server index
    /// and the held count, so a `status` frame saying the server's queue is empty reads
    /// only those (listing every unfinished prompt of the server, its records copied and
    /// sorted, on each such frame was 15 % of the live client's time under a flood with a
    /// few thousand prompts ended awaiting their history).
    func heldIDs(on server: String) -> [String] {
        guard heldOn(server) > 0 else { return [] }
        guard let serverIndex else { return unfinishedRecords(on: server).lazy.filter { Self.isHeld($0) }.map(\.id).sorted() }
        return (serverIndex[server] ?? []).filter { Self.isHeld(records[$0]) }.sorted()
    }

    /// The records unfinished and not in our own queue (on a server, or ended awaiting
    /// history), on every server: the per-server index's, without the thousands that may
    /// wait in our queue; every unfinished record when the index is unknown.
    var activeRecords: [PromptRecord] {
        guard let serverIndex, let unfinishedIndex, let waitingOrder else { return unfinishedRecords.filter { $0.status != .waiting } }
        // Records without a server are not in the per-server index: a state that has any
        // is read whole.
        let indexed = serverIndex.values.reduce(0) { $0 + $1.count }
        guard indexed + waitingOrder.count == unfinishedIndex.count else {
            return unfinishedRecords.filter { $0.status != .waiting }
        }
        return serverIndex.values.flatMap { $0.compactMap { records[$0] } }
    }

    /// Whether our own queue holds a job (without listing it).
    var hasWaiting: Bool { waitingOrder.map { !$0.isEmpty } ?? records.values.contains { $0.status == .waiting } }

    /// Rebuilds the per-server indexes after a write that dropped them.
    mutating func rebuildServerIndex() {
        var index: [String: Set<String>] = [:]
        var held: [String: Int] = [:]
        var running: [String: Set<String>] = [:]
        for record in records.values where Self.onServer(record) {
            if let server = record.server {
                index[server, default: []].insert(record.id)
                if Self.isHeld(record) { held[server, default: 0] += 1 }
                if record.status == .running { running[server, default: []].insert(record.id) }
            }
        }
        serverIndex = index
        heldIndex = held
        runningIndex = running
    }

    /// How many prompts `server` should hold as far as we know (accepted, queued or
    /// running, not `ended`): counted on every `status` frame, so without sorting or a list.
    func heldCount(on server: String?) -> Int {
        unfinishedRecords(on: server).lazy.filter { $0.accepted && $0.status != .ended }.count
    }

    /// Someone else's prompts wait on `server` and we know of none running there: the next
    /// one to start will not tell us (its events go to its owner).
    func observedWaitNothingRuns(on server: String?) -> Bool {
        // From the counts first: something runs there, or nothing is queued (most frames).
        if let server, let running = runningCount(on: server) {
            if running > 0 || heldOn(server) == running { return false }
        }
        let records = unfinishedRecords(on: server)
        return !records.contains { $0.status == .running } && records.contains { $0.status == .queued && $0.owner == .observed && $0.accepted }
    }

    /// Whether a prompt other than `id` is running on `server`.
    func hasRunning(otherThan id: String, on server: String?) -> Bool {
        if let server, let runningIndex { return runningIndex[server]?.contains { $0 != id } ?? false }
        return unfinishedRecords(on: server).contains { $0.id != id && $0.status == .running }
    }

    /// How many prompts run on `server`, from the index (nil: the index is unknown).
    func runningCount(on server: String) -> Int? {
        guard let runningIndex else { return nil }
        return runningIndex[server]?.count ?? 0
    }

    /// Whether `server` may hold a queued prompt: false only when the counts say none.
    func mayHaveQueued(on server: String) -> Bool {
        guard let running = runningCount(on: server) else { return true }
        return heldOn(server) > running
    }

    /// Prompt ids running now, on every server (one at most per server).
    public var runningIDs: [String] { runningIDs(on: nil) }

    /// Prompt ids running on `server` (nil: every server).
    public func runningIDs(on server: String?) -> [String] {
        if server == nil, let runningOrder { return runningOrder }
        return (server == nil ? activeRecords : unfinishedRecords(on: server)).filter { $0.status == .running }.map(\.id).sorted()
    }

    /// Prompt ids the servers hold in their queues, in run order (number, then id).
    public var pendingIDs: [String] { pendingIDs(on: nil) }

    /// Prompt ids `server` holds in its queue, in run order (nil: every server).
    public func pendingIDs(on server: String?) -> [String] {
        (server == nil ? activeRecords : unfinishedRecords(on: server)).filter { $0.status == .queued && $0.accepted }
            .sorted { ($0.number ?? .infinity, $0.id) < ($1.number ?? .infinity, $1.id) }.map(\.id)
    }

    /// Our jobs waiting in our own queue for a server, in the order they go out: priority
    /// (`--front` first), then submission order.
    public var waitingIDs: [String] {
        if let waitingOrder { return waitingOrder.map(\.id) }
        return records.values.filter { $0.status == .waiting }.map(WaitingKey.init).sorted().map(\.id)
    }

    /// Up to `limit` jobs of our queue in order, after `key` (nil: from the first): routing
    /// reads the few it can place, not a list of thousands.
    func waitingKeys(after key: WaitingKey?, limit: Int) -> [WaitingKey] {
        let order = waitingOrder ?? WaitingOrder(sorted: records.values.filter { $0.status == .waiting }.map(WaitingKey.init).sorted())
        return order.keys(after: key, limit: limit)
    }

    /// Where a job stands in our queue.
    struct WaitingKey: Comparable, Sendable {
        var priority: Double
        var seen: Int
        var id: String
        init(_ record: PromptRecord) {
            priority = record.priority
            seen = record.seen
            id = record.id
        }
        static func < (a: WaitingKey, b: WaitingKey) -> Bool { (a.priority, a.seen) < (b.priority, b.seen) }
    }

    /// Keeps `waitingOrder` in step with a record entering or leaving our queue: a binary
    /// search and an insert, so a queue of 10 000 jobs is never sorted per action.
    mutating func noteWaiting(_ before: PromptRecord?, _ after: PromptRecord?) {
        if waitingOrder == nil {
            waitingOrder = WaitingOrder(sorted: records.values.filter { $0.status == .waiting }.map(WaitingKey.init).sorted())
        }
        if let before, before.status == .waiting { waitingOrder!.remove(WaitingKey(before)) }
        if let after, after.status == .waiting { waitingOrder!.insert(WaitingKey(after)) }
    }

    /// Prompts that have not reached a final status (waiting, queued, running, or ended
    /// awaiting history).
    public var unfinishedIDs: [String] { unfinishedRecords.map(\.id).sorted() }

    /// Those on `server`.
    public func unfinishedIDs(on server: String?) -> [String] { unfinishedRecords(on: server).map(\.id).sorted() }

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

    func json(servers: [ServerState]) -> JSONValue {
        .object([
            JSONField("remaining", remaining.json),
            JSONField("running", runningIDs.json),
            JSONField("pending", pendingIDs.json),
            JSONField("waiting", waitingIDs.json),
            JSONField("prompts", .object(orderedIDs.map { JSONField($0, records[$0]!.json) })),
            JSONField("rejected", .array(rejected.map(\.json))),
            JSONField("resubmit_limit", .number(Double(resubmitLimit))),
            JSONField("max_waiting_per_server", .number(Double(maxWaitingPerServer))),
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

extension RandomAccessCollection where Index == Int {
    /// The first index whose element satisfies `predicate`, for a predicate that is false
    /// then true along the collection (a binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
