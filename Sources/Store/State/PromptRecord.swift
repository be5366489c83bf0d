/// Everything we know about one prompt, ours or observed.
public struct PromptRecord: Sendable, Equatable {
    /// Where a prompt is: the JSON's `status`. ``isTerminal`` says whether it can still change.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        /// In our own queue: not yet sent to any server (the fleet routes it when a server
        /// that can run it has room).
        case waiting
        /// Submitted or waiting in the server's queue.
        case queued
        /// The server is running it.
        case running
        /// Final: `execution_success`, or history says `success`.
        case succeeded
        /// Final: a fatal `execution_error`, or history says `error`; see ``PromptRecord/error``.
        case failed
        /// Final: `execution_interrupted`, or history holds it; see ``PromptRecord/interrupted``.
        case interrupted
        /// Removed from the queue before it ran.
        case cancelled
        /// Left the server's queue, but no event told us how it ended (we were away, or
        /// it was not ours to hear). History will tell; a `fetchHistory` command is issued.
        case ended
        /// The server no longer knows it (restarted): neither queued, running, nor in history.
        case lost

        /// Nothing more will happen to the prompt on the server.
        public var isTerminal: Bool {
            switch self {
            case .waiting, .queued, .running, .ended: false
            case .succeeded, .failed, .interrupted, .cancelled, .lost: true
            }
        }
    }

    /// Whose prompt it is: the JSON's `owner`.
    public enum Owner: String, Sendable, Equatable {
        /// Submitted with our client id: we get its events.
        case ours
        /// Someone else's, seen through broadcasts, the queue or history.
        case observed
    }

    /// How a prompt failed or where it was interrupted.
    public struct Failure: Sendable, Equatable {
        /// The node that failed or was running: the real (outermost) node id.
        public var nodeID: String?
        /// That node's class type.
        public var nodeType: String?
        /// The Python exception's type; nil for an interruption.
        public var exceptionType: String?
        /// The exception's message as sent (it may end with a newline); nil for an interruption.
        public var exceptionMessage: String?
        /// The Python traceback, as sent; empty for an interruption.
        public var traceback: [String]
        /// Nodes that completed before the end (cached ones not counted).
        public var executed: [String]

        /// The failure an `execution_error` or `execution_interrupted` message describes.
        public init(_ message: ServerMessage.ExecutionFailure) {
            nodeID = message.nodeID
            nodeType = message.nodeType
            exceptionType = message.exceptionType
            exceptionMessage = message.exceptionMessage
            traceback = message.traceback
            executed = message.executed
        }
    }

    /// The fields below marked as kept in `extras`: most records leave them empty, and
    /// each is a reference to retain and release on every copy of the record — the
    /// reducer copies records on every write (and the table's getter returns copies), so a
    /// record of a dozen strings and arrays cost a dozen atomic operations a copy. In one
    /// shared box a copy is the id, the server and this box (copied on write).
    private var extras = Extras.Box.empty

    /// The box, made this record's own before a write.
    private mutating func uniqueExtras() -> Extras.Box {
        if !isKnownUniquelyReferenced(&extras) { extras = Extras.Box(extras.value) }
        return extras
    }

    /// The prompt id, as the server knows it.
    public var id: String
    /// Where the prompt is now.
    public var status: Status
    /// The server it is on (or ran on last); nil while it waits in our own queue.
    public var server: String?
    /// `ours` (submitted with our client id) or `observed` (someone else's).
    public var owner: Owner
    /// The order in which we learned of prompts (for listing; not the server's number).
    public var seen: Int
    /// The server's queue number (priority; lowest runs first). Nil until accepted.
    public var number: Double?
    /// The client id it was submitted with, when known.
    public var clientID: String? {
        get { extras.value.clientID }
        set { uniqueExtras().value.clientID = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.clientID
        }
    }
    /// The server has it: a 200 from `POST /prompt`, or it appeared in events/queue/history.
    public var accepted: Bool
    /// When we submitted it, or first saw it accepted.
    public var submittedAt: Timestamp?
    /// When it started running (`execution_start`, or the first sign of it).
    public var startedAt: Timestamp?
    /// When it reached its final status (or `ended`).
    public var finishedAt: Timestamp?
    /// Nodes in the submitted graph, when we know the graph.
    public var nodeCount: Int?
    /// Nodes served from the cache (`execution_cached`).
    public var cached: [String] {
        get { extras.value.cached }
        set { uniqueExtras().value.cached = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.cached
        }
    }
    /// Node id → UI output (`executed`, or history), in arrival order.
    public var outputs: [JSONField] {
        get { extras.value.outputs }
        set { uniqueExtras().value.outputs = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.outputs
        }
    }
    /// For `failed`: which node raised, and the exception.
    public var error: Failure? {
        get { extras.value.error }
        set { uniqueExtras().value.error = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.error
        }
    }
    /// For `interrupted`: the node that was running (the JSON keeps `{node_id, node_type}`).
    public var interrupted: Failure? {
        get { extras.value.interrupted }
        set { uniqueExtras().value.interrupted = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.interrupted
        }
    }
    /// `node_errors` of a 200: the parts of the graph the server dropped.
    public var warnings: [NodeError] {
        get { extras.value.warnings }
        set { uniqueExtras().value.warnings = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.warnings
        }
    }
    /// The outcome was confirmed by a history entry.
    public var fromHistory = false
    /// `ended`, and history had no entry: lost if the next snapshot does not list it either.
    var missingFromHistory = false
    /// Times it was submitted again because the server had forgotten it.
    public var resubmitted = 0
    /// Our jobs: the order they leave our queue (lower first; `--front` is below every
    /// other), the servers it may go to (nil: any), the servers it may not (they refused
    /// it for a missing class or model), the servers it was sent to, in order, and a label
    /// for people (its workflow's name, and `--vary` values).
    public var priority: Double = 0
    /// The servers it may run on (`--on`); nil: any that can.
    public var pinned: [String]? {
        get { extras.value.pinned }
        set { uniqueExtras().value.pinned = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.pinned
        }
    }
    /// Servers that refused it for something they lack (a node class, a model file): it is
    /// not sent there again.
    public var excluded: [String] {
        get { extras.value.excluded }
        set { uniqueExtras().value.excluded = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.excluded
        }
    }
    /// The servers it was sent to, in order (a job run again elsewhere names both).
    public var sentTo: [String] {
        get { extras.value.sentTo }
        set { uniqueExtras().value.sentTo = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.sentTo
        }
    }
    /// Why the servers in `excluded` refused it, in words.
    public var refusals: [String] {
        get { extras.value.refusals }
        set { uniqueExtras().value.refusals = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.refusals
        }
    }
    /// For people: its workflow's file name, or `--vary` values; nil when none was given.
    public var label: String? {
        get { extras.value.label }
        set { uniqueExtras().value.label = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.label
        }
    }
    /// Our job's workflow key (``WorkflowShape/key``): what the queue forecast looks its
    /// learned run time up by. nil for other clients' prompts.
    public internal(set) var workflowKey: String? {
        get { extras.value.workflowKey }
        set { uniqueExtras().value.workflowKey = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.workflowKey
        }
    }
    /// Of those, the times it had started before the server forgot it: it may be what
    /// brought the server down, so these are limited (`QueueState.resubmitLimit`).
    var forgottenWhileRunning = 0
    /// The POST body, kept only while the resubmit policy may need it (ours, unfinished).
    /// Never in the JSON: a body can carry credentials in `extra_data`.
    var resubmitBody: JSONValue? {
        get { extras.value.resubmitBody }
        set { uniqueExtras().value.resubmitBody = newValue }
        _modify {
            let box = uniqueExtras()
            yield &box.value.resubmitBody
        }
    }

    /// The job's `POST /prompt` body while it may still be sent (ours, unfinished): for a
    /// job store to keep. Never in the JSON (a body may carry credentials in `extra_data`).
    public var body: JSONValue? { resubmitBody }
    /// Times it was run again after it had started (its server was lost or forgot it).
    public var reruns: Int { forgottenWhileRunning }

    /// A job as a job store kept it (restored after a restart with `FleetEvent.restored`).
    public static func job(
        id: String, status: Status, server: String?, body: JSONValue?, sentTo: [String], priority: Double,
        pinned: [String]?, label: String?, reruns: Int, outputs: [JSONField], accepted: Bool
    ) -> PromptRecord {
        var record = PromptRecord(id: id, status: status, owner: .ours, seen: 0)
        record.server = server
        record.resubmitBody = status.isTerminal ? nil : body
        record.sentTo = sentTo
        record.priority = priority
        record.pinned = pinned
        record.label = label
        record.forgottenWhileRunning = reruns
        record.outputs = outputs
        record.accepted = accepted
        return record
    }

    /// A record of prompt `id`, not yet accepted; `seen` orders it among the prompts we know.
    public init(id: String, status: Status, owner: Owner, seen: Int) {
        self.id = id
        self.status = status
        self.owner = owner
        self.seen = seen
        self.accepted = false
    }

    /// Sets `node`'s UI output, replacing the one it had (history replaces `executed`'s).
    public mutating func setOutput(node: String, _ output: JSONValue) {
        if let i = outputs.firstIndex(where: { $0.key == node }) {
            outputs[i].value = output
        } else {
            outputs.append(JSONField(node, output))
        }
    }

    /// One entry of `queue.prompts` in the state's JSON (docs/state.md).
    public var json: JSONValue {
        .object([
            JSONField("status", .string(status.rawValue)),
            JSONField("owner", .string(owner.rawValue)),
            JSONField("server", server.json),
            JSONField("number", number.json),
            JSONField("client_id", clientID.json),
            JSONField("accepted", .bool(accepted)),
            JSONField("submitted_at", submittedAt?.json ?? .null),
            JSONField("started_at", startedAt?.json ?? .null),
            JSONField("finished_at", finishedAt?.json ?? .null),
            JSONField("node_count", nodeCount.json),
            JSONField("cached", cached.json),
            JSONField("outputs", .object(outputs)),
            JSONField("error", error?.json ?? .null),
            JSONField("interrupted", interrupted.map { .object(Array($0.fields.prefix(2))) } ?? .null),
            JSONField("warnings", .array(warnings.map(\.json))),
            JSONField("from_history", .bool(fromHistory)),
            JSONField("resubmitted", .number(Double(resubmitted))),
            JSONField("sent_to", sentTo.json),
            JSONField("excluded", excluded.json),
            JSONField("pinned", pinned?.json ?? .null),
            JSONField("label", label.json),
        ])
    }
}

extension PromptRecord.Failure {
    var fields: [JSONField] {
        [
            JSONField("node_id", nodeID.json),
            JSONField("node_type", nodeType.json),
            JSONField("exception_type", exceptionType.json),
            JSONField("exception_message", exceptionMessage.json),
            JSONField("traceback", traceback.json),
            JSONField("executed", executed.json),
        ]
    }
    /// The JSON's `error` object: `{node_id, node_type, exception_type, exception_message,
    /// traceback, executed}`.
    public var json: JSONValue { .object(fields) }
}

extension NodeError {
    /// A node error object: `{node_id, class_type, errors: [{type, message, details,
    /// input_name}], dependent_outputs}`.
    public var json: JSONValue {
        .object([
            JSONField("node_id", .string(nodeID)),
            JSONField("class_type", classType.json),
            JSONField(
                "errors",
                .array(
                    errors.map {
                        .object([
                            JSONField("type", .string($0.type)), JSONField("message", .string($0.message)),
                            JSONField("details", .string($0.details)), JSONField("input_name", $0.inputName.json),
                        ])
                    })),
            JSONField("dependent_outputs", dependentOutputs.json),
        ])
    }
}
