/// A plain description of I/O for the Effects layer to perform. Reducers return these
/// instead of doing anything themselves, so they stay pure and testable by equality.
public enum Command: Sendable, Equatable {
    case postPrompt(promptID: String, body: JSONValue)
    case deleteFromQueue([String])
    case clearQueue
    case interrupt(promptID: String)
    case fetchQueue
    case fetchHistory(promptID: String)
}
