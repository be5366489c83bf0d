/// The faults a chaos run strikes with, as the issue lists them.
public enum ChaosFault: String, CaseIterable, Sendable {
    /// Every connection dropped (no close frame).
    case drop
    /// The server stops reading and sending but keeps the sockets open, for a window.
    case stall = "half_open_stall"
    /// The server restarts with an empty queue and history (a running prompt is abandoned).
    case restart
    /// Malformed text frames and truncated binary frames, to every socket.
    case malformed = "malformed_frames"
    /// Every frame delayed, for a window (order kept).
    case delay = "delayed_frames"
    /// Every HTTP request and upgrade answered 403, for a window; connections dropped at
    /// its start so the client meets it.
    case refuse = "403_window"
    /// Every HTTP answer late, for a window.
    case slowHTTP = "slow_http"

    /// Whether the fault lasts a window (then is lifted) rather than striking once.
    var isWindow: Bool {
        switch self {
        case .stall, .delay, .refuse, .slowHTTP: true
        case .drop, .restart, .malformed: false
        }
    }
}
