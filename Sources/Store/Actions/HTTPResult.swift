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
    public var promptID: String
    public var entries: [HistoryEntry]
    public init(promptID: String, entries: [HistoryEntry]) {
        self.promptID = promptID
        self.entries = entries
    }
}

/// One node's validation errors, from `node_errors`.
public struct NodeError: Sendable, Equatable {
    public var nodeID: String
    public var classType: String?
    public var errors: [Problem]
    public var dependentOutputs: [String]

    public struct Problem: Sendable, Equatable {
        public var type: String
        public var message: String
        public var details: String
        public var inputName: String?
        public init(type: String, message: String, details: String = "", inputName: String? = nil) {
            self.type = type
            self.message = message
            self.details = details
            self.inputName = inputName
        }
    }

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
    public var clientID: String?

    public init(nodes: [(id: String, classType: String)], clientID: String?) {
        self.nodes = nodes
        self.clientID = clientID
    }

    public static func == (a: SubmittedGraph, b: SubmittedGraph) -> Bool {
        a.clientID == b.clientID && a.nodes.elementsEqual(b.nodes, by: { $0.id == $1.id && $0.classType == $1.classType })
    }
}

public struct PromptAccepted: Sendable, Equatable {
    public var promptID: String
    public var number: Double?
    public var nodeErrors: [NodeError]
    public var graph: SubmittedGraph?
    public init(promptID: String, number: Double?, nodeErrors: [NodeError] = [], graph: SubmittedGraph? = nil) {
        self.promptID = promptID
        self.number = number
        self.nodeErrors = nodeErrors
        self.graph = graph
    }
}

public struct PromptRejected: Sendable, Equatable {
    /// The id we chose, if the request carried one.
    public var promptID: String?
    public var status: Int
    public var type: String
    public var message: String
    public var details: String
    public var extraInfo: JSONValue
    public var nodeErrors: [NodeError]
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

public struct QueueSnapshot: Sendable, Equatable {
    public var running: [QueueItem]
    /// In run order: sorted by (number, prompt id), as the server returns heap order.
    public var pending: [QueueItem]
    public init(running: [QueueItem], pending: [QueueItem]) {
        self.running = running
        self.pending = pending.sorted { ($0.number ?? 0, $0.promptID) < ($1.number ?? 0, $1.promptID) }
    }
}

public struct QueueItem: Sendable, Equatable {
    public var number: Double?
    public var promptID: String
    public var clientID: String?
    public var nodeCount: Int?
    public var outputsToExecute: [String]
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
    public enum Outcome: String, Sendable, Equatable {
        case success, error, interrupted
    }

    public var promptID: String
    public var number: Double?
    public var clientID: String?
    public var nodeCount: Int?
    /// Nil: the entry does not say (no `status`, or a `status_str` we do not know).
    public var outcome: Outcome?
    public var completed: Bool
    /// Node id → the same object `executed` carries, in the server's order; nil when the
    /// entry has no `outputs` (which is not the same as none).
    public var outputs: [JSONField]?
    /// From the `execution_error` / `execution_interrupted` message in `status.messages`.
    public var failure: ServerMessage.ExecutionFailure?
    public var cachedNodes: [String]
    public var startedMs: Double?
    public var endedMs: Double?

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
    public var comfyuiVersion: String?
    public var pythonVersion: String?
    public var pytorchVersion: String?
    public var os: String?
    public var devices: [String]
    public init(comfyuiVersion: String?, pythonVersion: String?, pytorchVersion: String?, os: String?, devices: [String]) {
        self.comfyuiVersion = comfyuiVersion
        self.pythonVersion = pythonVersion
        self.pytorchVersion = pytorchVersion
        self.os = os
        self.devices = devices
    }
}
