/// The server's JSON messages (`{"type": …, "data": …}`), one case per `type` in
/// docs/comfyui-protocol.md section 2. Fields the protocol says may be missing are optional.
///
/// The large, rare payloads (`executed`, the two failures) are `indirect`: boxed, so the
/// enum — and every `ComfyAction` — stays about 50 bytes and the frequent messages (progress,
/// snapshots, executing, status) are cheap to move; a profile showed ~14 % of decode time
/// in copying actions of the largest case's size.
public enum ServerMessage: Sendable, Equatable {
    case status(Status)
    case featureFlags(JSONValue)
    case executionStart(promptID: String, timestamp: Double?)
    case executionCached(promptID: String, nodes: [String], timestamp: Double?)
    case executing(Executing)
    case progress(Progress)
    case progressState(ProgressSnapshot)
    indirect case executed(Executed)
    case executionSuccess(promptID: String, timestamp: Double?)
    indirect case executionError(ExecutionFailure)
    indirect case executionInterrupted(ExecutionFailure)
    case logs(Logs)

    public var type: String {
        switch self {
        case .status: "status"
        case .featureFlags: "feature_flags"
        case .executionStart: "execution_start"
        case .executionCached: "execution_cached"
        case .executing: "executing"
        case .progress: "progress"
        case .progressState: "progress_state"
        case .executed: "executed"
        case .executionSuccess: "execution_success"
        case .executionError: "execution_error"
        case .executionInterrupted: "execution_interrupted"
        case .logs: "logs"
        }
    }

    public struct Status: Sendable, Equatable {
        /// Pending plus running, for all clients together. `nil` if the server sent none.
        public var queueRemaining: Int?
        /// Only in the first `status` of a connection: the id this socket is registered under.
        public var sid: String?
        public init(queueRemaining: Int?, sid: String? = nil) {
            self.queueRemaining = queueRemaining
            self.sid = sid
        }
    }

    /// `executing` in its three forms: a node starts (`node`, `displayNode`, `promptID`),
    /// the prompt ended (`node == nil`, `promptID`), or the reconnect replay
    /// (`node` only: a display id, no prompt id).
    public struct Executing: Sendable, Equatable {
        public var node: String?
        public var displayNode: String?
        public var promptID: String?
        public init(node: String?, displayNode: String? = nil, promptID: String?) {
            self.node = node
            self.displayNode = displayNode
            self.promptID = promptID
        }
        public var isReconnectReplay: Bool { node != nil && promptID == nil }
    }

    public struct Progress: Sendable, Equatable {
        public var value: Double
        public var max: Double
        public var promptID: String?
        public var node: String?
        public init(value: Double, max: Double, promptID: String?, node: String?) {
            self.value = value
            self.max = max
            self.promptID = promptID
            self.node = node
        }
    }

    public struct ProgressSnapshot: Sendable, Equatable {
        public var promptID: String
        /// In the order the server listed them.
        public var nodes: [NodeProgress]
        public init(promptID: String, nodes: [NodeProgress]) {
            self.promptID = promptID
            self.nodes = nodes
        }
    }

    public struct NodeProgress: Sendable, Equatable {
        public var nodeID: String
        public var value: Double
        public var max: Double
        /// `running` or `finished` in practice; kept as sent.
        public var state: String
        public var displayNodeID: String?
        public var parentNodeID: String?
        public var realNodeID: String?
        public init(
            nodeID: String, value: Double, max: Double, state: String,
            displayNodeID: String? = nil, parentNodeID: String? = nil, realNodeID: String? = nil
        ) {
            self.nodeID = nodeID
            self.value = value
            self.max = max
            self.state = state
            self.displayNodeID = displayNodeID
            self.parentNodeID = parentNodeID
            self.realNodeID = realNodeID
        }
    }

    public struct Executed: Sendable, Equatable {
        public var node: String
        public var displayNode: String?
        /// The node's UI output, free-form; `.null` for a cached node that had none.
        public var output: JSONValue
        public var promptID: String
        public init(node: String, displayNode: String?, output: JSONValue, promptID: String) {
            self.node = node
            self.displayNode = displayNode
            self.output = output
            self.promptID = promptID
        }
    }

    /// The data of `execution_error` and `execution_interrupted` (which lacks the
    /// exception fields).
    public struct ExecutionFailure: Sendable, Equatable {
        public var promptID: String
        /// The real node id (the outermost node of the submitted graph).
        public var nodeID: String?
        public var nodeType: String?
        public var executed: [String]
        public var exceptionType: String?
        public var exceptionMessage: String?
        public var traceback: [String]
        public var currentInputs: JSONValue
        public var timestamp: Double?

        public init(
            promptID: String, nodeID: String?, nodeType: String?, executed: [String] = [],
            exceptionType: String? = nil, exceptionMessage: String? = nil, traceback: [String] = [],
            currentInputs: JSONValue = .null, timestamp: Double? = nil
        ) {
            self.promptID = promptID
            self.nodeID = nodeID
            self.nodeType = nodeType
            self.executed = executed
            self.exceptionType = exceptionType
            self.exceptionMessage = exceptionMessage
            self.traceback = traceback
            self.currentInputs = currentInputs
            self.timestamp = timestamp
        }

        /// A non-fatal `ExecutionBlocked` error does not end the prompt (protocol 2.9b).
        public var isExecutionBlocked: Bool { exceptionType == "ExecutionBlocked" }
    }

    public struct Logs: Sendable, Equatable {
        public var entries: [LogLine]
        public init(entries: [LogLine]) { self.entries = entries }
    }

    public struct LogLine: Sendable, Equatable {
        /// Local-time ISO-8601 string from the server, as sent.
        public var time: String
        public var message: String
        public init(time: String, message: String) {
            self.time = time
            self.message = message
        }
    }
}
