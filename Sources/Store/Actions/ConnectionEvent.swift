/// The socket's life as the Effects layer (or a transcript) reports it.
public enum ConnectionEvent: Sendable, Equatable {
    /// Effects is dialling `url` (attempt 0 is the first try).
    case connecting(url: String, attempt: Int)
    /// The upgrade succeeded. `socket` numbers connections (a transcript's `conn`);
    /// `clientID` is the `clientId` the URL carried, if any.
    case opened(socket: Int, path: String, clientID: String?)
    /// The socket is gone. `code` is the close code if a close frame was exchanged
    /// (nil when the peer vanished); `byClient` says who started it.
    case closed(socket: Int, code: Int?, reason: ConnectionProblem, byClient: Bool)
    /// An attempt failed before the socket opened (refused, timed out, upgrade refused).
    case attemptFailed(reason: ConnectionProblem)
    /// Effects will try again at `at` (attempt `attempt`).
    case reconnectScheduled(attempt: Int, at: Timestamp)
    /// The live layer gave up (401/403: not reconnecting).
    case failed(reason: ConnectionProblem)
    /// We sent a text frame (its `type`, and its data when it is `feature_flags`).
    case sent(socket: Int, type: String, data: JSONValue)
    /// The circuit breaker changed state (`openUntil` set while open).
    case breaker(state: BreakerState, failures: Int, openUntil: Timestamp?)
    /// A liveness probe answered in `rttMs` milliseconds.
    case probed(rttMs: Double)
    /// A prompt of ours is running but nothing has arrived since `since`.
    case stalled(since: Timestamp)
    /// The resync asked for by `Command.resync` has started (frames wait for it).
    case resyncStarted
    /// The client's policies that the reducers apply, set when it starts.
    case policy(resubmitLimit: Int)
    /// The server stayed offline past the grace period (the live layer's timer): it is
    /// lost until it connects again.
    case gone(reason: String)
}

/// The circuit breaker's state, as `connection.breaker.state` shows it (`closed`, `open`,
/// `half_open`).
public enum BreakerState: String, Sendable, Equatable {
    /// Connecting normally.
    case closed
    /// Too many failures in a row: no attempts until the cool-down ends.
    case open
    /// Cool-down over: one probe decides between closed and open.
    case halfOpen = "half_open"
}
