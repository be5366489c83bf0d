/// Everything the live client can be told. Every time-based policy is here, so tests can
/// set it and the defaults are written down in one place.
public struct ClientConfiguration: Sendable {
    /// Where the server is.
    public var endpoint: ServerEndpoint
    /// The `clientId` the socket connects with. The server sends a prompt's events only to the
    /// id that submitted it, so keep it across restarts (``ClientIdentity``).
    public var clientID: String
    /// The server's name in the fleet (`--server NAME=URL`); nil: the store's first server.
    public var name: String?
    /// Offline this long, the server is lost: our jobs waiting on it go to other servers.
    /// nil: never (a client on its own, or a test that steps the clock by hand).
    public var lostAfter: Duration? = .seconds(30)
    /// Extra headers on every HTTP call and on the WebSocket upgrade (e.g. Authorization).
    /// Never logged, traced or stored in the state.
    public var headers: [(name: String, value: String)] = []
    /// A PEM file of extra CA certificates to trust (verification itself is always on).
    public var extraCAFile: String?

    /// Reconnect backoff: full jitter between 0 and min(maximum, initial × 2^(n−1)) after
    /// the n-th failure in a row.
    public var backoff = Backoff()
    /// The client pings every interval; no pong by the next ping means a dead peer, so a
    /// half-open connection is found within two intervals.
    public var heartbeat: Duration = .seconds(10)
    /// A prompt of ours runs and nothing has arrived for this long: probe the server.
    public var stallTimeout: Duration = .seconds(30)
    /// When the circuit breaker opens and for how long: by default after 5 failures in a row,
    /// for 60 s.
    public var breaker = CircuitBreaker.Policy()
    /// What a 401/403 does. `.stop` (the default): the credentials are wrong, retrying
    /// cannot help and would only hammer the server. `.coolDown`: open the circuit breaker
    /// and try again after its cool-down, for a proxy or gateway that refuses for a while.
    public var onRefusal = RefusalPolicy.stop
    /// How many times a prompt of ours that the server forgot (a restart) is submitted
    /// again under the same id (`QueueState.resubmitLimit`); 0: it is marked `lost`.
    public var resubmitLimit = 0
    /// What a 401/403 does (see ``onRefusal``): `stop` gives up (phase `failed`); `coolDown`
    /// opens the circuit breaker and tries again after its cool-down.
    public enum RefusalPolicy: Sendable { case stop, coolDown }
    /// How long one connection attempt or one HTTP call may take.
    public var connectTimeout: Duration = .seconds(10)
    /// How long one HTTP call may take before it counts as no answer.
    public var requestTimeout: Duration = .seconds(30)
    /// The least time between two `GET /queue` follow-ups (status frames ask for one when
    /// the server holds prompts we do not know of, or no longer holds ones we do).
    public var followUpInterval: Duration = .milliseconds(250)
    /// The largest frame accepted; a larger one ends the connection (a hostile or broken
    /// server cannot exhaust memory). ComfyUI previews are small, but SaveImageWebsocket
    /// sends full-size PNGs.
    public var maxFrameSize = 64 << 20
    /// The feature flags announced in the first frame of every socket.
    public var features: [String: Bool] = ["supports_preview_metadata": true]

    /// A configuration for `endpoint` and `clientID`, every policy at its default.
    public init(endpoint: ServerEndpoint, clientID: String) {
        self.endpoint = endpoint
        self.clientID = clientID
    }
}
