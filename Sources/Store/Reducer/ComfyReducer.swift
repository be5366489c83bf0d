/// The one way `AppState` changes: `(inout AppState, ComfyAction) -> [Command]`.
///
/// Pure and total. It encodes what the real server does, as recorded in the fixtures
/// (see docs/architecture.md, "What the reducer knows about the server"), and returns
/// plain `Command` values for the Effects layer; it performs no I/O and reads no clock.
public enum ComfyReducer {
    public static func reduce(_ state: inout AppState, _ action: ComfyAction) -> [Command] {
        var context = ReduceContext(at: action.at)
        state.nodes.beginReduction()
        switch action.event {
        case .server(let message):
            state.noteFrame(at: action.at)
            state.apply(message, &context)
        case .binary(let message):
            state.noteFrame(at: action.at)
            state.apply(message, &context)
        case .unknown(let type, let payload):
            state.noteFrame(at: action.at)
            state.log.append(.warning, .unknown, "unknown message type \"\(type)\" kept", at: action.at, payload: payload)
        case .protocolError(let error):
            state.noteFrame(at: action.at)
            state.log.append(.error, .protocolError, error.reason, at: action.at, payload: error.excerpt)
        case .connection(let event):
            state.apply(event, &context)
        case .http(let result):
            state.apply(result, &context)
        case .user(let request):
            state.apply(request, &context)
        }
        return context.commands
    }
}

/// What one reduction accumulates besides the state: the time, and the commands to return.
struct ReduceContext {
    let at: Timestamp
    var commands: [Command] = []

    init(at: Timestamp) { self.at = at }

    mutating func emit(_ command: Command) {
        if !commands.contains(command) { commands.append(command) }
    }
}

extension AppState {
    /// Mutates `state` by `action` and returns the commands: a convenience for callers
    /// that keep their own state value (tests, replay, benchmarks).
    @discardableResult
    public mutating func apply(_ action: ComfyAction) -> [Command] {
        ComfyReducer.reduce(&self, action)
    }

    mutating func noteFrame(at: Timestamp) {
        connection.lastFrameAt = at
        if connection.stalledSince != nil { connection.stalledSince = nil }
    }

    /// Who owns a prompt submitted with `clientID`: us if it is our client id (or the
    /// session id the server gave a socket that connected without one).
    func owner(ofClientID clientID: String?) -> PromptRecord.Owner {
        guard let clientID else { return .observed }
        return clientID == connection.clientID || clientID == connection.sessionID ? .ours : .observed
    }

    /// Creates or updates the record for `id`. Writes back only when something changed,
    /// so an untouched prompt table keeps sharing storage with the previous state (the
    /// diff then skips it in O(1)).
    mutating func updatePrompt(
        _ id: String, creating status: PromptRecord.Status, owner: PromptRecord.Owner,
        _ body: (inout PromptRecord) -> Void
    ) {
        var record = queue.record(id, creating: status, owner: owner)
        let before = queue.records[id]
        body(&record)
        if before != record {
            queue.setRecord(id, record)
            if let number = record.number { queue.noteNumber(number) }
        }
    }
}

extension PromptRecord {
    /// Moves to `next` unless that would go backwards: a terminal status is final
    /// (only history may correct it), and a running prompt never becomes queued again.
    mutating func move(to next: Status, at: Timestamp) {
        guard next != status else {
            // A record created running (a broadcast tick of someone else's prompt, a queue
            // snapshot) starts now: its first sign.
            if next == .running, startedAt == nil { startedAt = at }
            return
        }
        if status.isTerminal { return }
        if status == .running, next == .queued { return }
        status = next
        if next == .running, startedAt == nil { startedAt = at }
        if next.isTerminal || next == .ended, finishedAt == nil { finishedAt = at }
        if next.isTerminal { resubmitBody = nil }
    }

    /// Messages that go only to a prompt's owner prove the prompt is ours.
    mutating func provenOurs() {
        owner = .ours
        accepted = true
    }
}

extension String {
    /// The first 8 characters of a prompt id, for log lines (like a short git hash).
    var short: String { count > 8 ? String(prefix(8)) : self }
}
