import ComfyCore

/// What tests may ask the simulated server directly.
extension ComfyUISimulator {
    /// How many times the worker started the prompt with this id (a client that
    /// submits the same `prompt_id` twice gets two runs). Counts survive `restart()`.
    public func executionCount(of promptID: String) async -> Int {
        await core.executionCounts[promptID] ?? 0
    }

    /// The history's `status_str` for the prompt — `"success"` or `"error"` — or nil if
    /// it is not in history (pending, running, unknown, or lost to a restart).
    public func historyStatus(of promptID: String) async -> String? {
        await core.history.entry(promptID)?["status"]?["status_str"]?.string
    }

    /// The history's `outputs` object for the prompt (node id → UI output).
    public func outputs(of promptID: String) async -> JSONValue? {
        await core.history.entry(promptID)?["outputs"]?.jsonValue
    }

    /// The graph the prompt ran (history's `prompt[2]`: what the client sent), while
    /// history holds it.
    public func ranGraph(of promptID: String) async -> JSONValue? {
        guard let wire = await core.history.entry(promptID)?["prompt"]?.array, wire.count > 2 else { return nil }
        return wire[2].jsonValue
    }

    /// Every run that reached its end, per prompt id, across restarts (a restart forgets
    /// the history, not this): the server's own record of what it did.
    public var completedRuns: [String: [CompletedRun]] {
        get async { await core.completedRuns }
    }

    /// Open WebSockets, registered or not.
    public var connectionCount: Int {
        get async { await core.socketCount }
    }

    /// Returns once exactly `count` WebSockets are open (at once if they are), e.g. to
    /// know the server saw a client's close. Returns early if the simulator stops.
    public func waitForConnectionCount(_ count: Int) async {
        await core.waitForSocketCount(count)
    }

    /// `queue_remaining`: pending plus running prompts.
    public var queueRemaining: Int {
        get async { await core.queue.remaining }
    }
}
