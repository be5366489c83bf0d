/// What a user (or a script) asked for. The reducer records the intent in the state
/// and answers with the `Command`s that Effects carries out.
public enum UserRequest: Sendable, Equatable {
    /// Submit an API-format graph under a prompt id we chose (a lowercase UUID), so a
    /// retry can check the server before enqueuing twice.
    case submit(promptID: String, graph: SubmittedGraph, body: JSONValue, front: Bool)
    /// Submit a job through our own queue: it waits there until a server that can run it
    /// (and may: `pinned`) has room. `priority`: lower leaves first.
    case submitJob(JobRequest)
    /// Cancel a prompt: dequeue it if pending, interrupt it if running.
    case cancel(promptID: String)
    /// Interrupt our running prompt (never a bare, global interrupt).
    case interrupt(promptID: String?)
    /// Remove every pending prompt.
    case clearQueue
    /// Ask the server for the queue and the history of the prompts we track.
    case resync
}

/// A job to submit: the prompt id chosen here, the graph, the `POST /prompt` body, where
/// it may run and how urgent it is.
public struct JobRequest: Sendable, Equatable {
    public var promptID: String
    public var graph: SubmittedGraph
    public var body: JSONValue
    /// Lower leaves our queue first; `--front` is -1, the default 0.
    public var priority: Double
    /// Servers it may go to (`--on NAME`); nil: any that can run it.
    public var pinned: [String]?
    /// For people: the workflow's name, `--vary` values.
    public var label: String?

    public init(promptID: String, graph: SubmittedGraph, body: JSONValue, priority: Double = 0, pinned: [String]? = nil, label: String? = nil) {
        self.promptID = promptID
        self.graph = graph
        self.body = body
        self.priority = priority
        self.pinned = pinned
        self.label = label
    }
}
