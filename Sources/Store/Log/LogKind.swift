/// What a log entry is about: the server message it came from (`execution_error`), or one
/// of the client's own concerns (`connection`, `resync`, `outbox`…).
///
/// A typed value rather than a bare string, so a front end filters with
/// `entry.kind == .resync` and the compiler checks the name; it stays open (a struct with
/// constants, like `Notification.Name`) because server message types are open too. Its
/// `rawValue` is the `kind` of the state's JSON form (docs/state.md).
public struct LogKind: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    // The client's own concerns.
    /// The socket's life: connected, lost, attempts, the breaker, stalls.
    public static let connection: LogKind = "connection"
    /// A resync's findings (`Command.resync`), or a prompt it found forgotten.
    public static let resync: LogKind = "resync"
    /// The fleet: servers joining, leaving, lost; jobs restored, routed elsewhere.
    public static let fleet: LogKind = "fleet"
    /// A request kept while offline, sent, expired or dropped.
    public static let outbox: LogKind = "outbox"
    /// A submission was made (before the server answered).
    public static let submit: LogKind = "submit"
    /// The server's answer to a submission.
    public static let prompt: LogKind = "prompt"
    public static let promptRejected: LogKind = "prompt_rejected"
    public static let cancel: LogKind = "cancel"
    public static let interrupt: LogKind = "interrupt"
    public static let queue: LogKind = "queue"
    public static let history: LogKind = "history"
    /// An HTTP call outside the above, or one that failed.
    public static let http: LogKind = "http"
    /// A prompt left the queue and history is asked how it ended.
    public static let ended: LogKind = "ended"
    /// Input the decoder could not understand.
    public static let protocolError: LogKind = "protocol_error"
    /// A message type the decoder does not know (kept with its payload).
    public static let unknown: LogKind = "unknown"
    /// A line of the server's own log (`logs` messages).
    public static let serverLog: LogKind = "server_log"

    // Server messages, by their `type`.
    public static let featureFlags: LogKind = "feature_flags"
    public static let executionStart: LogKind = "execution_start"
    public static let executionCached: LogKind = "execution_cached"
    public static let executing: LogKind = "executing"
    public static let executed: LogKind = "executed"
    public static let executionSuccess: LogKind = "execution_success"
    public static let executionError: LogKind = "execution_error"
    /// A non-fatal `execution_error` (the prompt goes on).
    public static let executionBlocked: LogKind = "execution_blocked"
    public static let executionInterrupted: LogKind = "execution_interrupted"
}
