/// The server's JSON messages (`{"type": …, "data": …}`), one case per `type` in
/// docs/comfyui-protocol.md section 2. Fields the protocol says may be missing are optional.
///
/// The large, rare payloads (`executed`, the two failures) are `indirect`: boxed, so the
/// enum — and every `ComfyAction` — stays about 50 bytes and the frequent messages (progress,
/// snapshots, executing, status) are cheap to move; a profile showed ~14 % of decode time
/// in copying actions of the largest case's size.
public enum ServerMessage: Sendable, Equatable {
    /// `status`: the length of the server's queue, broadcast whenever it changes.
    case status(Status)
    /// `feature_flags`: the server's answer to ours, kept whole (an open dictionary).
    case featureFlags(JSONValue)
    /// `execution_start`: the prompt began running. `timestamp` is the server's clock, in
    /// milliseconds since 1970 (never used for state times).
    case executionStart(promptID: String, timestamp: Double?)
    /// `execution_cached`: these nodes of the prompt are served from the cache and will not run.
    case executionCached(promptID: String, nodes: [String], timestamp: Double?)
    /// `executing`: a node starts, or the prompt ended (`node` nil), or the reconnect replay.
    case executing(Executing)
    /// `progress`: one step of the running node (`value` of `max`).
    case progress(Progress)
    /// `progress_state`: a full snapshot of every node of the running prompt.
    case progressState(ProgressSnapshot)
    /// `executed`: an output node finished and this is its UI output (images, text…).
    indirect case executed(Executed)
    /// `execution_success`: the prompt ran to the end. `timestamp`: server milliseconds since 1970.
    case executionSuccess(promptID: String, timestamp: Double?)
    /// `execution_error`: a node raised. Fatal unless it is `ExecutionBlocked`
    /// (see ``ServerMessage/ExecutionFailure/isExecutionBlocked``).
    indirect case executionError(ExecutionFailure)
    /// `execution_interrupted`: the prompt was stopped while this node ran.
    indirect case executionInterrupted(ExecutionFailure)
    /// `logs`: lines of the server's own log (sent to clients that asked for them).
    case logs(Logs)

    /// The message's `type` on the wire (`execution_start`, `progress_state`…): what the log
    /// and the diff call it.
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

    /// The prompt the message names, if any (for a decoder remembering the running prompt).
    var promptID: String? {
        switch self {
        case .executionStart(let id, _), .executionCached(let id, _, _), .executionSuccess(let id, _): id
        case .executing(let e): e.promptID
        case .progress(let p): p.promptID
        case .progressState(let s): s.promptID
        case .executed(let e): e.promptID
        case .executionError(let f), .executionInterrupted(let f): f.promptID
        case .status, .featureFlags, .logs: nil
        }
    }

    /// The data of `status`: how many prompts the server holds.
    public struct Status: Sendable, Equatable {
        /// Pending plus running, for all clients together. `nil` if the server sent none.
        public var queueRemaining: Int?
        /// Only in the first `status` of a connection: the id this socket is registered under.
        public var sid: String?
        /// A status as the server would send it.
        public init(queueRemaining: Int?, sid: String? = nil) {
            self.queueRemaining = queueRemaining
            self.sid = sid
        }
    }

    /// `executing` in its three forms: a node starts (`node`, `displayNode`, `promptID`),
    /// the prompt ended (`node == nil`, `promptID`), or the reconnect replay
    /// (`node` only: a display id, no prompt id).
    public struct Executing: Sendable, Equatable {
        /// The node starting (its inner id for expanded nodes); nil: the prompt ended.
        public var node: String?
        /// The node a UI should highlight for it, when the server says.
        public var displayNode: String?
        /// The prompt it belongs to; nil only in the reconnect replay.
        public var promptID: String?
        /// An `executing` message in any of its three forms.
        public init(node: String?, displayNode: String? = nil, promptID: String?) {
            self.node = node
            self.displayNode = displayNode
            self.promptID = promptID
        }
        /// True for the form a server replays after a reconnect: a display node id and no prompt
        /// id. It names a node of our running prompt.
        public var isReconnectReplay: Bool { node != nil && promptID == nil }
    }

    /// The data of `progress`: one step of one node.
    public struct Progress: Sendable, Equatable {
        /// The current step of that node, out of `max`.
        public var value: Double
        /// The number of steps of that node.
        public var max: Double
        /// The prompt, when the server says.
        public var promptID: String?
        /// The node whose steps these are.
        public var node: String?
        /// A progress tick as the server would send it.
        public init(value: Double, max: Double, promptID: String?, node: String?) {
            self.value = value
            self.max = max
            self.promptID = promptID
            self.node = node
        }
    }

    /// The data of `progress_state`: every node of the running prompt and its step. A full
    /// snapshot: the node table is replaced by it, not merged.
    public struct ProgressSnapshot: Sendable, Equatable {
        /// The prompt the snapshot describes.
        public var promptID: String
        /// In the order the server listed them.
        public var nodes: [NodeProgress]
        /// A snapshot of `nodes` for `promptID`.
        public init(promptID: String, nodes: [NodeProgress]) {
            self.promptID = promptID
            self.nodes = nodes
        }
    }

    /// One node of a `progress_state` snapshot.
    public struct NodeProgress: Sendable, Equatable {
        /// The node's id as the server runs it (an inner id for nodes a subgraph or an
        /// expanding node made).
        public var nodeID: String
        /// The node's current step.
        public var value: Double
        /// The node's number of steps.
        public var max: Double
        /// `running` or `finished` in practice; kept as sent.
        public var state: String
        /// The node a UI should highlight for it, when the server says.
        public var displayNodeID: String?
        /// The node that expanded into this one, for nodes made at run time.
        public var parentNodeID: String?
        /// The node of the submitted graph it stands for (the outermost).
        public var realNodeID: String?
        /// A snapshot entry as the server would send it.
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

    /// The data of `executed`: an output node's result.
    public struct Executed: Sendable, Equatable {
        /// The output node (its inner id for expanded nodes).
        public var node: String
        /// The node a UI should highlight for it, when the server says.
        public var displayNode: String?
        /// The node's UI output, free-form; `.null` for a cached node that had none.
        public var output: JSONValue
        /// The prompt it belongs to.
        public var promptID: String
        /// An `executed` message as the server would send it.
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
        /// The prompt that failed or was interrupted.
        public var promptID: String
        /// The real node id (the outermost node of the submitted graph).
        public var nodeID: String?
        /// The class type of that node (`KSampler`…).
        public var nodeType: String?
        /// Nodes that completed before the failure.
        public var executed: [String]
        /// The Python exception's type (`RuntimeError`, `ExecutionBlocked`…); nil when interrupted.
        public var exceptionType: String?
        /// The exception's message as sent (it may end with a newline); nil when interrupted.
        public var exceptionMessage: String?
        /// The Python traceback, one entry per line as sent; empty when interrupted.
        public var traceback: [String]
        /// The failing node's inputs as the server reported them, kept whole (`.null` if none).
        public var currentInputs: JSONValue
        /// The server's clock, in milliseconds since 1970 (never used for state times).
        public var timestamp: Double?

        /// A failure as the server would send it; the exception fields default to none.
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

    /// The data of `logs`: lines of the server's own log.
    public struct Logs: Sendable, Equatable {
        /// The lines, oldest first.
        public var entries: [LogLine]
        /// A `logs` message with these lines.
        public init(entries: [LogLine]) { self.entries = entries }
    }

    /// One line of the server's log (`{t, m}` on the wire).
    public struct LogLine: Sendable, Equatable {
        /// Local-time ISO-8601 string from the server, as sent.
        public var time: String
        /// The line's text, as sent.
        public var message: String
        /// A log line as the server would send it.
        public init(time: String, message: String) {
            self.time = time
            self.message = message
        }
    }
}
