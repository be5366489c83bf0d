import ComfyCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where jobs outlive the process: every job is written before it is sent, and what the
/// fleet learns of it after (its server, status, outputs, timings). After a crash, the
/// unfinished ones are read back and followed or sent (`ComfyFleet.resume`).
///
/// A small interface on purpose: SQLite (`SQLiteJobStore`) is the embedded default; a
/// store shared by several processes on several machines (PostgreSQL) can come next.
/// Nothing in routing or the reducers knows which one is used, or that a file exists.
public protocol JobStore: Sendable {
    /// Writes (inserts or replaces) these jobs, all or none.
    func save(_ jobs: [JobRow]) async throws(JobStoreError)
    /// Takes the unfinished jobs no live process follows — their `owner` is gone (see
    /// `JobOwner`) — for `owner`, oldest first: each is claimed at most once, however many
    /// processes resume at the same moment.
    func claimOrphans(for owner: JobOwner) async throws(JobStoreError) -> [JobRow]
    /// The newest `limit` jobs, newest first.
    func recent(limit: Int) async throws(JobStoreError) -> [JobRow]
    /// The job with this id, or the only one whose id starts with it.
    func job(matching prefix: String) async throws(JobStoreError) -> JobRow?
    /// Every learned duration (`DurationBook` of ComfyCore): what the next comfysh's ETAs start from.
    func durations() async throws(JobStoreError) -> [DurationEntry]
    /// Writes (inserts or replaces) these learned durations, all or none.
    func saveDurations(_ entries: [DurationEntry]) async throws(JobStoreError)
}

/// One job as a job store keeps it.
public struct JobRow: Sendable, Equatable {
    /// The prompt id it is submitted under, on every server.
    public var id: String
    /// Where it is, as the state's record says (`waiting`, `queued`, `running`, `succeeded`…).
    public var status: PromptRecord.Status
    /// The server it is on, or ran on last; nil while it waits in our queue.
    public var server: String?
    /// The servers it was sent to, in order.
    public var sentTo: [String]
    /// The `POST /prompt` body (the workflow, our client id, the prompt id).
    public var workflow: JSONValue
    /// For people: its workflow's file name, or `--vary` values.
    public var label: String?
    /// Its place in our queue: lower leaves first (`--front` is below every other).
    public var priority: Double
    /// The servers it may run on (`--on`); nil: any that can.
    public var pinned: [String]?
    /// Times it ran again after it had started (its server was lost or forgot it).
    public var reruns: Int
    /// The process that follows it (`host:pid`); another process resumes it only once that
    /// one is gone.
    public var owner: String?
    /// The server has it (its POST was answered, or it showed up on the server).
    public var accepted: Bool
    /// Node id → that node's UI output, as the server reported it.
    public var outputs: [JSONField]
    /// For a failed or interrupted job: the record's `error` (or `interrupted`) object, as
    /// the state's JSON writes it.
    public var error: JSONValue?
    /// Wall-clock times (seconds since 1970): when it was submitted, started, finished.
    public var submittedAt: Double
    /// When it started running (seconds since 1970); nil until it has.
    public var startedAt: Double?
    /// When it reached a final status (seconds since 1970); nil until then.
    public var finishedAt: Double?
    /// When the row last changed (seconds since 1970): how a process on another host is
    /// judged gone (``JobOwner/staleAfter``).
    public var updatedAt: Double

    /// A row; everything but the id, status, workflow and times has a default.
    public init(
        id: String, status: PromptRecord.Status, server: String? = nil, sentTo: [String] = [], workflow: JSONValue,
        label: String? = nil, priority: Double = 0, pinned: [String]? = nil, reruns: Int = 0, owner: String? = nil, accepted: Bool = false,
        outputs: [JSONField] = [], error: JSONValue? = nil, submittedAt: Double, startedAt: Double? = nil,
        finishedAt: Double? = nil, updatedAt: Double
    ) {
        self.id = id
        self.status = status
        self.server = server
        self.sentTo = sentTo
        self.workflow = workflow
        self.label = label
        self.priority = priority
        self.pinned = pinned
        self.reruns = reruns
        self.owner = owner
        self.accepted = accepted
        self.outputs = outputs
        self.error = error
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.updatedAt = updatedAt
    }

    /// How long it ran, when known.
    public var duration: Double? {
        guard let startedAt, let finishedAt, finishedAt >= startedAt else { return nil }
        return finishedAt - startedAt
    }

    /// The record to restore in a fresh state.
    public var record: PromptRecord {
        .job(
            id: id, status: status, server: server, body: workflow, sentTo: sentTo, priority: priority, pinned: pinned,
            label: label, reruns: reruns, outputs: outputs, accepted: accepted)
    }
}

/// Why the job store could not do what was asked, in words a person can act on.
public struct JobStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for a front end to choose its message and exit status.
    public enum Kind: Sendable, Equatable {
        /// Another comfysh process uses it.
        case locked
        /// The file is not a database, or is damaged.
        case corrupt
        /// It cannot be created, opened or written (permissions, a full disk).
        case unwritable
        /// Anything else (the description says what).
        case other
    }

    /// What went wrong.
    public var kind: Kind
    /// The sentence to show: what is wrong, and what to do about it.
    public var description: String

    /// An error of `kind`, with the sentence to show.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

/// A process that follows jobs: `host:pid`. Several comfysh processes may share a job
/// store; a job is resumed by another only when its owner is gone: on this host, its
/// process no longer exists; on another, it has not written for `staleAfter`.
public struct JobOwner: Sendable, Equatable {
    /// The host name the process runs on.
    public var host: String
    /// The process id on that host.
    public var pid: Int32
    /// How long another host's process may go without writing before its jobs are orphans.
    public var staleAfter: Double = 600

    /// The process `pid` on `host`.
    public init(host: String, pid: Int32) {
        self.host = host
        self.pid = pid
    }

    /// This process.
    public static var current: JobOwner { JobOwner(host: ProcessInfo.processInfo.hostName, pid: getpid()) }

    /// `host:pid`: what a job's `owner` holds.
    public var id: String { "\(host):\(pid)" }

    /// Whether a job owned by `owner` (last written at `updatedAt`) is followed by nobody.
    public func isOrphan(owner: String?, updatedAt: Double, now: Double) -> Bool {
        guard let owner, owner != id else { return true }
        guard let colon = owner.lastIndex(of: ":"), let pid = Int32(owner[owner.index(after: colon)...]) else { return true }
        if owner[..<colon] == host { return kill(pid, 0) != 0 && errno == ESRCH }
        return now - updatedAt > staleAfter
    }
}
