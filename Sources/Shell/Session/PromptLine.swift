import ComfyCore

/// The prompt: the connection at a glance, and the queue.
///
///     [connected · 2 queued] comfysh>
///     [reconnecting in 3 s · attempt 2] comfysh>
///     [offline] comfysh>
enum PromptLine {
    static func render(_ state: AppState, now: Timestamp?, style: Style) -> String {
        let c = state.connection
        let status: String
        switch c.phase {
        case .connected:
            let queued = state.queue.remaining.map { $0 == 0 ? "idle" : "\($0) queued" } ?? "queue ?"
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
}
