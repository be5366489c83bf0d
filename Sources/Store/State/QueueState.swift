/// The server's queue as we know it, and a record of every prompt we know.
public struct QueueState: Sendable, Equatable {
    /// `queue_remaining` from the server: pending plus running, for all clients.
    public var remaining: Int?
    /// Every prompt we know, keyed by prompt id.
    public var prompts: [String: PromptRecord] = [:]
    /// Submissions the server refused (newest last, at most `rejectedCapacity`).
    public var rejected: [Rejection] = []
    /// Policy: a prompt of ours that the server no longer knows (it restarted and forgot
    /// its queue) is submitted again under the same id, once per time it is forgotten,
    /// instead of becoming `lost`. One forgotten after it had started may be what brought
    /// the server down, so that happens at most this many times; one forgotten while it
    /// waited is always sent again. 0 (the default: a library cannot know the user still
    /// wants it): never, it is `lost`. `comfysh run` allows 2, since the user asked for it.
    public var resubmitLimit = 0
    var nextSeen = 0

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
        if let existing = prompts[id] { return existing }
        nextSeen += 1
        return PromptRecord(id: id, status: status, owner: owner, seen: nextSeen)
    }

    /// Prompt ids running now (0 or 1 on a real server): derived from the records.
    public var runningIDs: [String] { prompts.values.filter { $0.status == .running }.map(\.id).sorted() }

    /// Prompt ids the server holds in its queue, in run order (number, then id).
    public var pendingIDs: [String] {
        prompts.values.filter { $0.status == .queued && $0.accepted }
            .sorted { ($0.number ?? .infinity, $0.id) < ($1.number ?? .infinity, $1.id) }.map(\.id)
    }

    /// Prompts that have not reached a final status (queued, running, or ended awaiting history).
    public var unfinishedIDs: [String] { prompts.values.filter { !$0.status.isTerminal }.map(\.id).sorted() }

    /// Prompt ids in a stable listing order: by server number, then by when we learned of them.
    public var orderedIDs: [String] {
        prompts.values.sorted { a, b in
            switch (a.number, b.number) {
            case let (x?, y?) where x != y: return x < y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.seen < b.seen
            }
        }.map(\.id)
    }

    public var json: JSONValue {
        .object([
            JSONField("remaining", remaining.json),
            JSONField("running", runningIDs.json),
            JSONField("pending", pendingIDs.json),
            JSONField("prompts", .object(orderedIDs.map { JSONField($0, prompts[$0]!.json) })),
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
