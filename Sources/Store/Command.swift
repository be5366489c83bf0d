/// A plain description of I/O for the Effects layer to perform. Reducers return these
/// instead of doing anything themselves, so they stay pure and testable by equality.
public enum Command: Sendable, Equatable {
    /// `POST /prompt` with this body, under the prompt id chosen here (so a retry never
    /// enqueues it twice).
    case postPrompt(promptID: String, body: JSONValue)
    /// `POST /queue {"delete": [...]}`: remove these prompts from the server's queue before they run.
    case deleteFromQueue([String])
    /// `POST /queue {"clear": true}`: empty the server's queue (what runs goes on).
    case clearQueue
    /// `POST /interrupt` for this prompt: stop it while it runs.
    case interrupt(promptID: String)
    /// `GET /queue`: what the server runs and holds now.
    case fetchQueue
    /// `GET /history/{id}`: how this prompt ended (it left the queue and nothing said how).
    case fetchHistory(promptID: String)
    /// `GET /history?max_items=N`: prompts that passed through the server between two
    /// looks at its queue (someone else's, too quick to be listed). Entries numbered above
    /// `newerThan` that we do not know are recorded; nil: none are (the answer only tells
    /// how far the server's numbers have gone).
    case fetchRecentHistory(maxItems: Int, newerThan: Double?)
    /// Rebuild what we missed: `GET /queue` plus `GET /history/{id}` for every prompt we
    /// track that is not finished, answered as one `.http(.resynced)` action. Incoming
    /// frames wait until it is applied.
    case resync
    /// `GET /object_info`: what the server can run (answered as `.http(.capabilities)`).
    case fetchCapabilities
    /// A command for another server than the one whose action caused it (routing a job,
    /// cancelling a copy of one elsewhere).
    indirect case on(server: String, Command)

    /// The server this command is for, and the command itself: `default` when it names none.
    public func target(default server: String) -> (server: String, command: Command) {
        if case .on(let other, let command) = self { return (other, command) }
        return (server, self)
    }

    /// `fetch history 61c72f8c-…`: a line for people.
    public var summary: String {
        switch self {
        case .postPrompt(let id, _): "post prompt \(id)"
        case .deleteFromQueue(let ids): "delete from queue \(ids.joined(separator: ", "))"
        case .clearQueue: "clear queue"
        case .interrupt(let id): "interrupt \(id)"
        case .fetchQueue: "fetch queue"
        case .fetchHistory(let id): "fetch history \(id)"
        case .fetchRecentHistory(let n, let newer): "fetch recent history (\(n)\(newer.map { $0.isFinite ? ", after #\(JSONWriter.number($0))" : ", all" } ?? ""))"
        case .resync: "resync"
        case .fetchCapabilities: "fetch capabilities"
        case .on(let server, let command): "on \(server): \(command.summary)"
        }
    }
}
