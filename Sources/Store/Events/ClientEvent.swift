/// What happened, as a front end tells it: a prompt was accepted, started, made progress,
/// produced an output or a preview, finished; the connection was lost or restored; a resync
/// found what happened while we were away.
///
/// Derived once, here in the core, from each state change (`ClientEvents`), so every front
/// end — `comfysh run --json`, the shell's notifications, `watch`, the dashboard, the chaos
/// tally — tells the same facts and none re-derives them from log text or JSON keys.
public enum ClientEvent: Sendable, Equatable {
    /// The connection's phase changed.
    case connection(ConnectionChange)
    /// The server took a prompt (`number`: its queue position's priority). `warnings`: the
    /// outputs it dropped (`node_errors` of a 200).
    case accepted(promptID: String, number: Double?, warnings: [NodeError])
    /// The submission's answer came after the prompt's first events: its dropped outputs.
    case warnings(promptID: String, [NodeError])
    /// The prompt is running (the record as of then).
    case started(PromptRecord)
    /// A step of the running node.
    case progress(ProgressReport)
    /// A live preview image of the running prompt (bytes passed through, never stored).
    case preview(PreviewImage)
    /// An output node's result (`executed`, or history's).
    case output(promptID: String, node: String, output: JSONValue)
    /// The prompt left the queue and nothing said how: history is asked (not final).
    case ended(promptID: String)
    /// The prompt reached its final status (`record.status`, or `ended` confirmed by a
    /// history entry that does not say how: nothing more will tell).
    case finished(PromptRecord)
    /// The server had forgotten it (a restart): submitted again under the same id.
    case resubmitted(promptID: String)
    /// Its server (`from`) was lost or left the fleet: it runs again elsewhere under the same
    /// id (once it had started, within the rerun limit).
    case rerouted(promptID: String, from: String)
    /// The server refused a submission.
    case rejected(QueueState.Rejection)
    /// A resync (after a connect, or asked for) found the server's queue and history.
    case resynced(ResyncFindings)

    /// A refused submission (which may name no prompt: a body without an id).
    public var isRejection: Bool {
        if case .rejected = self { return true }
        return false
    }

    /// The prompt the event is about, if any.
    public var promptID: String? {
        switch self {
        case .accepted(let id, _, _), .warnings(let id, _), .output(let id, _, _), .ended(let id), .resubmitted(let id), .rerouted(let id, _): id
        case .started(let record), .finished(let record): record.id
        case .progress(let report): report.promptID
        case .preview(let image): image.promptID
        case .rejected(let rejection): rejection.promptID
        case .connection, .resynced: nil
        }
    }
}

/// A change of the connection's phase, with what a notification needs to say about it.
public struct ConnectionChange: Sendable, Equatable {
    /// What the change means to a person: connected, restored, lost…
    public enum Kind: Sendable, Equatable {
        /// An attempt is under way.
        case connecting
        /// The first connection of the session.
        case connected
        /// Connected again after losing it.
        case restored
        /// The socket closed or an attempt failed (`reason`).
        case lost
        /// The next attempt is scheduled.
        case reconnecting
        /// Given up (401/403).
        case failed
        /// Back to idle (not started).
        case idle
    }

    /// The server whose connection it is.
    public var server: String
    /// The phase now.
    public var phase: ConnectionState.Phase
    /// The phase before.
    public var previous: ConnectionState.Phase
    /// Successful opens so far.
    public var connects: Int
    /// Reconnect attempts scheduled so far, in all.
    public var reconnects: Int

    /// A change of `server`'s phase from `previous` to `phase`.
    public init(server: String = ServerState.defaultName, phase: ConnectionState.Phase, previous: ConnectionState.Phase, connects: Int, reconnects: Int) {
        self.server = server
        self.phase = phase
        self.previous = previous
        self.connects = connects
        self.reconnects = reconnects
    }

    /// The change in a word: `connected` the first time, `restored` after that, `lost`…
    public var kind: Kind {
        switch phase {
        case .idle: .idle
        case .connecting: .connecting
        case .connected: connects > 1 ? .restored : .connected
        case .reconnecting: .reconnecting
        case .disconnected: .lost
        case .failed: .failed
        }
    }

    /// Why it was lost or failed.
    public var reason: ConnectionProblem? {
        switch phase {
        case .disconnected(let reason), .failed(let reason): reason
        default: nil
        }
    }
}

/// One step of the running prompt.
public struct ProgressReport: Sendable, Equatable {
    /// The server running it.
    public var server: String
    /// The prompt running.
    public var promptID: String
    /// The node whose steps are counted.
    public var node: String?
    /// The current step of ``node``, out of ``max``.
    public var value: Double
    /// The number of steps of ``node``.
    public var max: Double
    /// The whole prompt, 0…1.
    public var fraction: Double
    /// The node's step rate, from its first tick; nil until known.
    public var stepsPerSecond: Double?
    /// Seconds left for the whole prompt (the running node's steps at their measured rate,
    /// the nodes after it as earlier runs took); nil when nothing is known of what is left.
    public var etaSeconds: Double?
    /// How ``etaSeconds`` was made: `.lowerBound` says at least this much is left.
    public var etaBasis: EstimateBasis?

    /// The node's own fraction, 0…1.
    public var nodeFraction: Double { max > 0 ? Swift.min(Swift.max(value / max, 0), 1) : 0 }
}

/// A preview frame: the image as the server sent it.
public struct PreviewImage: Sendable, Equatable {
    /// The server that sent it.
    public var server: String
    /// nil for legacy previews, which name no prompt (attributed to our running prompt when
    /// there is one).
    public var promptID: String?
    /// The node that made it, when known.
    public var nodeID: String?
    /// The image's type (`image/png`, `image/jpeg`).
    public var mimeType: String
    /// The encoded image, as the server sent it.
    public var bytes: [UInt8]
}

/// What a resync found: the server's queue, and how many prompts finished while we were away.
public struct ResyncFindings: Sendable, Equatable {
    /// The server that was asked.
    public var server: String?
    /// Prompts the server was running.
    public var running: Int
    /// Prompts waiting in the server's queue.
    public var pending: Int
    /// Prompts that reached a final status through this resync.
    public var finishedWhileAway: Int

    /// Findings with these counts.
    public init(running: Int, pending: Int, finishedWhileAway: Int) {
        self.running = running
        self.pending = pending
        self.finishedWhileAway = finishedWhileAway
    }

    /// What the resync that answered `snapshot` changed from `old` to `new`.
    public init(snapshot: QueueSnapshot, old: AppState, new: AppState) {
        self.init(snapshot: snapshot, old: old.queue, new: new.queue)
    }

    /// What the resync that answered `snapshot` changed from the queue `old` to `new`.
    init(snapshot: QueueSnapshot, old: QueueState, new: QueueState) {
        running = snapshot.running.count
        pending = snapshot.pending.count
        finishedWhileAway = new.records.values.lazy.filter { record in
            record.status.isTerminal && old.records[record.id].map { !$0.status.isTerminal } == true
        }.count
    }

    /// `resynced: 1 running, 2 pending; 3 prompt(s) finished while away`
    public var message: String {
        "resynced: \(running) running, \(pending) pending; \(finishedWhileAway) prompt(s) finished while away"
    }
}

extension PromptRecord {
    /// Nothing more will be learned about the prompt: a final status, or `ended` with a
    /// history entry that does not say how.
    public var isSettled: Bool { status.isTerminal || (status == .ended && fromHistory) }
}
