/// What an HTTP call to the server came back with, already interpreted
/// (see `HTTPResultDecoder`). A non-2xx answer that is not a known rejection is `failed`.
public enum HTTPResult: Sendable, Equatable {
    /// `POST /prompt` answered 200. `nodeErrors` may be non-empty: accepted with warnings.
    case promptAccepted(PromptAccepted)
    /// `POST /prompt` answered 4xx with the server's error.
    case promptRejected(PromptRejected)
    /// `GET /queue`.
    case queueSnapshot(QueueSnapshot)
    /// `GET /history/{id}` (`requested` is that id) or `GET /history?…` (nil).
    case history(requested: String?, entries: [HistoryEntry])
    /// The answer to `Command.fetchRecentHistory`: entries numbered above `newerThan` that
    /// we do not know passed through while we were not looking.
    case recentHistory(newerThan: Double?, entries: [HistoryEntry])
    /// `POST /queue {"delete": [...]}` answered 200.
    case queueDeleted([String])
    /// `POST /queue {"clear": true}` answered 200.
    case queueCleared
    /// `POST /interrupt` answered 200 (`promptID` nil for a global interrupt).
    case interruptAcknowledged(promptID: String?)
    /// `GET /prompt`: `{"exec_info": {"queue_remaining": N}}`.
    case queueRemaining(Int)
    /// `GET /features`: the server's flags.
    case features(JSONValue)
    /// `GET /system_stats`.
    case systemStats(ServerInfo)
    /// `GET /object_info`, read: what the server can run (nil: the answer could not be
    /// read; the server is then trusted to run anything, and validates what it gets).
    indirect case capabilities(ServerCapabilities?)
    /// The answers of a resync, applied as one action: the queue, then the history of each
    /// prompt that was not finished (an empty list: the server has no entry for it).
    case resynced(queue: QueueSnapshot, history: [ResyncedHistory])
    /// `POST /prompt` got no answer at all (network): the submission is kept and retried
    /// after the next resync, which first checks the server so it is never enqueued twice.
    case submitFailed(promptID: String, body: JSONValue, message: String)
    /// Any other 2xx answer: noted, not interpreted.
    case other(method: String, path: String, status: Int)
    /// A non-2xx answer, or no answer at all (`status` nil: unreachable, timeout).
    case failed(method: String, path: String, status: Int?, message: String)
}

/// `GET /history/{promptID}` as part of a resync.
public struct ResyncedHistory: Sendable, Equatable {
    /// The prompt that was looked up.
    public var promptID: String
    /// Its history entries; empty: the server has none for it (not finished, or forgotten).
    public var entries: [HistoryEntry]
    /// The history found for `promptID`.
    public init(promptID: String, entries: [HistoryEntry]) {
        self.promptID = promptID
        self.entries = entries
    }
}

/// One node's validation errors, from `node_errors`.
public struct NodeError: Sendable, Equatable {
    /// The node the errors are about.
    public var nodeID: String
    /// Its class type, when the server named it.
    public var classType: String?
    /// What is wrong with it, one entry per error.
    public var errors: [Problem]
    /// The output nodes that depend on it: they are dropped with it.
    public var dependentOutputs: [String]

    /// One validation error of a node.
    public struct Problem: Sendable, Equatable {
        /// The error's type (`value_not_in_list`, `required_input_missing`…).
        public var type: String
        /// The server's short message.
        public var message: String
        /// The server's details (which value, which list); empty when it gave none.
        public var details: String
        /// The input it is about, from the error's `extra_info.input_name`, when present.
        public var inputName: String?
        /// A validation error as the server would report it.
        public init(type: String, message: String, details: String = "", inputName: String? = nil) {
            self.type = type
            self.message = message
            self.details = details
            self.inputName = inputName
        }
    }

    /// The errors of one node.
    public init(nodeID: String, classType: String?, errors: [Problem], dependentOutputs: [String] = []) {
        self.nodeID = nodeID
        self.classType = classType
        self.errors = errors
        self.dependentOutputs = dependentOutputs
    }
}

/// What we know of a submitted graph from the request body.
public struct SubmittedGraph: Sendable, Equatable {
    /// Node id → class type, in the order submitted.
    public var nodes: [(id: String, classType: String)]
    /// The `client_id` the body carried: prompts submitted with ours are ours.
    public var clientID: String?

    /// A graph of these nodes, submitted with `clientID`.
    public init(nodes: [(id: String, classType: String)], clientID: String?) {
        self.nodes = nodes
        self.clientID = clientID
    }

    /// The same client id and the same nodes, in the same order.
    public static func == (a: SubmittedGraph, b: SubmittedGraph) -> Bool {
        a.clientID == b.clientID && a.nodes.elementsEqual(b.nodes, by: { $0.id == $1.id && $0.classType == $1.classType })
    }
}

/// A `POST /prompt` the server took (a 200).
public struct PromptAccepted: Sendable, Equatable {
    /// The prompt's id (ours, or the one the server chose).
    public var promptID: String
    /// Its queue number (lowest runs first), when the server said.
    public var number: Double?
    /// Outputs the server dropped while keeping the rest: accepted with warnings.
    public var nodeErrors: [NodeError]
    /// What the request body said of the graph; nil when the body is not known.
    public var graph: SubmittedGraph?
    /// An accepted submission.
    public init(promptID: String, number: Double?, nodeErrors: [NodeError] = [], graph: SubmittedGraph? = nil) {
        self.promptID = promptID
        self.number = number
        self.nodeErrors = nodeErrors
        self.graph = graph
    }
}

/// A `POST /prompt` the server refused (any non-2xx answer): recorded in
/// `queue.rejected`, nothing queued.
public struct PromptRejected: Sendable, Equatable {
    /// The id we chose, if the request carried one.
    public var promptID: String?
    /// The HTTP status: 400 for validation errors.
    public var status: Int
    /// The server's `error.type` (`prompt_outputs_failed_validation`, `missing_node_type`…).
    public var type: String
    /// The server's `error.message`.
    public var message: String
    /// The server's `error.details`; empty when it gave none.
    public var details: String
    /// The server's `error.extra_info`, kept whole (`.null` when absent).
    public var extraInfo: JSONValue
    /// The server's `node_errors`, one per node.
    public var nodeErrors: [NodeError]
    /// A refusal as the server would answer it.
    public init(
        promptID: String?, status: Int, type: String, message: String, details: String = "",
        extraInfo: JSONValue = .null, nodeErrors: [NodeError] = []
    ) {
        self.promptID = promptID
        self.status = status
        self.type = type
        self.message = message
        self.details = details
        self.extraInfo = extraInfo
        self.nodeErrors = nodeErrors
    }
}

/// The server's queue at one moment (`GET /queue`): the truth at that moment.
public struct QueueSnapshot: Sendable, Equatable {
    /// The prompts running now (0 or 1 on a real server).
    public var running: [QueueItem]
    /// In run order: sorted by (number, prompt id), as the server returns heap order.
    public var pending: [QueueItem]
    /// A snapshot; `pending` is sorted into run order.
    public init(running: [QueueItem], pending: [QueueItem]) {
        self.running = running
        self.pending = pending.sorted { ($0.number ?? 0, $0.promptID) < ($1.number ?? 0, $1.promptID) }
    }
}

/// One prompt in the server's queue (an entry of `queue_running` or `queue_pending`).
public struct QueueItem: Sendable, Equatable {
    /// Its queue number (lowest runs first).
    public var number: Double?
    /// The prompt's id.
    public var promptID: String
    /// The `client_id` it was submitted with, when it had one: ours makes it ours.
    public var clientID: String?
    /// The number of nodes in its graph.
    public var nodeCount: Int?
    /// The output nodes the server will run.
    public var outputsToExecute: [String]
    /// A queue entry.
    public init(number: Double?, promptID: String, clientID: String?, nodeCount: Int?, outputsToExecute: [String]) {
        self.number = number
        self.promptID = promptID
        self.clientID = clientID
        self.nodeCount = nodeCount
        self.outputsToExecute = outputsToExecute
    }
}

/// One entry of `/history`: the durable record of a prompt that ran.
public struct HistoryEntry: Sendable, Equatable {
    /// How the prompt ended, as the entry says.
    public enum Outcome: String, Sendable, Equatable {
        /// `success`, `error` (a node raised) or `interrupted`.
        case success, error, interrupted
    }

    /// The prompt's id.
    public var promptID: String
    /// Its queue number, when the entry has the prompt.
    public var number: Double?
    /// The `client_id` it was submitted with, when known.
    public var clientID: String?
    /// The number of nodes in its graph, when the entry has the prompt.
    public var nodeCount: Int?
    /// Nil: the entry does not say (no `status`, or a `status_str` we do not know).
    public var outcome: Outcome?
    /// The entry's `status.completed` (when absent: true for a success).
    public var completed: Bool
    /// Node id → the same object `executed` carries, in the server's order; nil when the
    /// entry has no `outputs` (which is not the same as none).
    public var outputs: [JSONField]?
    /// From the `execution_error` / `execution_interrupted` message in `status.messages`.
    public var failure: ServerMessage.ExecutionFailure?
    /// Nodes served from the cache (its `execution_cached` message).
    public var cachedNodes: [String]
    /// When it started on the server's clock, in milliseconds since 1970.
    public var startedMs: Double?
    /// When it ended on the server's clock, in milliseconds since 1970.
    public var endedMs: Double?

    /// A history entry; a missing field stays nil rather than guessed.
    public init(
        promptID: String, number: Double?, clientID: String?, nodeCount: Int?, outcome: Outcome?,
        completed: Bool, outputs: [JSONField]?, failure: ServerMessage.ExecutionFailure? = nil,
        cachedNodes: [String] = [], startedMs: Double? = nil, endedMs: Double? = nil
    ) {
        self.promptID = promptID
        self.number = number
        self.clientID = clientID
        self.nodeCount = nodeCount
        self.outcome = outcome
        self.completed = completed
        self.outputs = outputs
        self.failure = failure
        self.cachedNodes = cachedNodes
        self.startedMs = startedMs
        self.endedMs = endedMs
    }
}

/// What `GET /system_stats` says about the server.
public struct ServerInfo: Sendable, Equatable {
    /// ComfyUI's version (`0.33.0`), when it said.
    public var comfyuiVersion: String?
    /// The server's Python version, when it said.
    public var pythonVersion: String?
    /// The server's PyTorch version, when it said.
    public var pytorchVersion: String?
    /// The server's operating system (`posix`, `nt`…), when it said.
    public var os: String?
    /// The names of its compute devices (`cuda:0 NVIDIA …`, `cpu`).
    public var devices: [String]
    /// Server information, as `GET /system_stats` gives it.
    public init(comfyuiVersion: String?, pythonVersion: String?, pytorchVersion: String?, os: String?, devices: [String]) {
        self.comfyuiVersion = comfyuiVersion
        self.pythonVersion = pythonVersion
        self.pytorchVersion = pytorchVersion
        self.os = os
        self.devices = devices
    }
}
