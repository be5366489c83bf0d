/// What a user (or a script) asked for. The reducer records the intent in the state
/// and answers with the `Command`s that Effects carries out.
public enum UserRequest: Sendable, Equatable {
    /// Submit an API-format graph under a prompt id we chose (a lowercase UUID), so a
    /// retry can check the server before enqueuing twice.
    case submit(promptID: String, graph: SubmittedGraph, body: JSONValue, front: Bool)
    /// Cancel a prompt: dequeue it if pending, interrupt it if running.
    case cancel(promptID: String)
    /// Interrupt our running prompt (never a bare, global interrupt).
    case interrupt(promptID: String?)
    /// Remove every pending prompt.
    case clearQueue
    /// Ask the server for the queue and the history of the prompts we track.
    case resync
}
