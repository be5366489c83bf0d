/// The one way `AppState` changes: `(inout AppState, ComfyAction) -> [Command]`.
///
/// Pure and total. It encodes what the real server does, as recorded in the fixtures
/// (see docs/architecture.md, "What the reducer knows about the server"), and returns
/// plain `Command` values for the Effects layer; it performs no I/O and reads no clock.
public enum ComfyReducer {
    public static func reduce(_ state: inout AppState, _ action: ComfyAction) -> [Command] {
        var context = ReduceContext(at: action.at, server: state.index(of: action.server).map { state.servers[$0].name })
        // The prompt ids this reduction writes are journalled for the diff (see
        // `QueueState.changedPromptIDs(since:)`).
        state.queue.beginReduction()
        defer { state.queue.endReduction() }
        switch action.event {
        case .user(let request):
            state.apply(request, server: action.server, &context)
        case .fleet(let event):
            state.apply(event, &context)
        default:
            guard let index = state.index(of: action.server) else {
                state.log.append(.warning, .connection, "an action from \(action.server ?? "?"), which is not in the fleet: ignored", at: action.at)
                return []
            }
            let remaining = state.servers[index].remaining
            state.withScope(index) { $0.reduce(action, &context) }
            if state.servers[index].remaining != remaining { state.queue.remaining = state.totalRemaining }
        }
        state.route(&context)
        state.stampServers()  // for the diff: see `ServerStamp`
        return context.commands
    }
}

extension ServerScope {
    /// An event from this server (a frame, an HTTP answer, the socket's life).
    mutating func reduce(_ action: ComfyAction, _ context: inout ReduceContext) {
        context.scope = name
        defer {
            flushDeferred(&context)
            context.scope = nil
        }
        nodes.beginReduction()
        switch action.event {
        case .server(let message):
            noteFrame(at: action.at)
            apply(message, &context)
        case .binary(let message):
            noteFrame(at: action.at)
            apply(message, &context)
        case .unknown(let type, let payload):
            noteFrame(at: action.at)
            log.append(.warning, .unknown, "unknown message type \"\(type)\" kept", at: action.at, payload: payload)
        case .protocolError(let error):
            noteFrame(at: action.at)
            log.append(.error, .protocolError, error.reason, at: action.at, payload: error.excerpt)
        case .connection(let event):
            apply(event, &context)
        case .http(let result):
            apply(result, &context)
        case .user, .fleet:
            break
        }
    }
}

/// What one reduction accumulates besides the state: the time, and the commands to return.
struct ReduceContext {
    let at: Timestamp
    /// The server the action came from (nil: none in the fleet): plain commands are for it.
    let server: String?
    /// The server whose scope is being reduced: its commands are addressed to it when it
    /// is not the action's.
    var scope: String?
    var commands: [Command] = []

    init(at: Timestamp, server: String? = nil) {
        self.at = at
        self.server = server
    }

    mutating func emit(_ command: Command) {
        let addressed = scope.map { $0 == server ? command : .on(server: $0, command) } ?? command
        if !commands.contains(addressed) { commands.append(addressed) }
    }

    /// A command for `target` (plain when it is the action's server).
    mutating func emit(_ command: Command, on target: String) {
        let addressed = target == server ? command : .on(server: target, command)
        if !commands.contains(addressed) { commands.append(addressed) }
    }
}

extension AppState {
    /// Mutates `state` by `action` and returns the commands: a convenience for callers
    /// that keep their own state value (tests, replay, benchmarks).
    @discardableResult
    public mutating func apply(_ action: ComfyAction) -> [Command] {
        ComfyReducer.reduce(&self, action)
    }

    /// The fleet's queue length: what every server that said counts.
    var totalRemaining: Int? {
        var total: Int?
        for server in servers { if let n = server.remaining { total = (total ?? 0) + n } }
        return total
    }
}

extension ServerScope {
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

    /// Creates or updates the record for `id` — a prompt on this server. Writes back only
    /// when something changed, so an untouched prompt table keeps sharing storage with the
    /// previous state (the diff then skips it in O(1)).
    mutating func updatePrompt(
        _ id: String, creating status: PromptRecord.Status, owner: PromptRecord.Owner,
        _ body: (inout PromptRecord) -> Void
    ) {
        let before = queue.records[id]
        var record = before ?? queue.record(id, creating: status, owner: owner)
        if let before, before.server != name, before.sentTo.contains(name) {
            // A job of ours we had sent here, which has moved on since: seen afresh from here.
            record.status = .queued
            record.server = name
            body(&record)
            return adopt(record, before: before)
        }
        if record.server == nil { record.server = name }
        body(&record)
        if before != record {
            queue.setRecord(id, record, before: before)
            if let number = record.number { server.noteNumber(number) }
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
