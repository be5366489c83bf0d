import ComfyCore

/// The prompt: the connection at a glance, and the queue as the state has it now — redrawn
/// whenever that changes, not only after a command.
///
///     [connected · idle] comfysh>
///     [connected · 1 running · 2 queued] comfysh>
///     [connected · 2 queued] comfysh>
///     [reconnecting in 3 s · attempt 2] comfysh>
///     [offline] comfysh>
///     [2/3 up · 2 running · 5 waiting] comfysh>      (a fleet)
enum PromptLine {
    static func render(_ state: AppState, now: Timestamp?, style: Style) -> String {
        if state.servers.count > 1 { return fleet(state, style: style) }
        let c = state.connection
        let status: String
        switch c.phase {
        case .connected:
            let queued = work(state)
            let word = c.quality == .stalled ? style.yellow("stalled") : (c.resyncing ? style.yellow("resyncing") : style.green("connected"))
            status = "\(word) · \(queued)"
        case .connecting(let attempt):
            status = style.yellow(attempt == 0 ? "connecting" : "connecting · attempt \(attempt)")
        case .reconnecting(let attempt, let next):
            let wait = now.map { max(0, Int((next - $0).rounded(.up))) }
            status = style.yellow("reconnecting\(wait.map { " in \($0) s" } ?? "") · attempt \(attempt)")
        case .failed:
            status = style.red("failed")
        case .idle, .disconnected:
            status = style.red("offline")
        }
        return "[\(status)] comfysh> "
    }

    /// What the server runs and holds, and what waits in our own queue: the prompts the
    /// state knows running, and the rest of the server's count (`queue_remaining` includes
    /// the running prompt) as queued, never fewer than the queued prompts we know.
    static func work(_ state: AppState) -> String {
        let name = state.servers.first?.name
        let running = state.queue.runningIDs(on: name).count
        let known = state.queue.pendingIDs(on: name).count + state.queue.waitingIDs.count
        let queued = state.queue.remaining.map { max($0 - running, 0, known) } ?? known
        let parts = [running > 0 ? "\(running) running" : nil, queued > 0 ? "\(queued) queued" : nil].compactMap { $0 }
        if parts.isEmpty { return state.queue.remaining == nil ? "queue ?" : "idle" }
        return parts.joined(separator: " · ")
    }

    /// A fleet at a glance: servers up, prompts running, prompts waiting (ours in our own
    /// queue and every server's pending).
    static func fleet(_ state: AppState, style: Style) -> String {
        let up = state.servers.filter { $0.connection.isOnline }.count
        let all = state.servers.count
        let servers = "\(up)/\(all) up"
        let painted = up == all ? style.green(servers) : up == 0 ? style.red(servers) : style.yellow(servers)
        let waiting = state.queue.waitingIDs.count + state.queue.pendingIDs.count
        return "[\(painted) · \(state.queue.runningIDs.count) running · \(waiting) waiting] comfysh> "
    }
}
