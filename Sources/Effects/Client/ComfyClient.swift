import ComfyCore

/// The live connection to one ComfyUI server: it keeps a socket open through whatever
/// the server and the network do, dispatches everything that happens into a `ComfyStore`, and
/// runs the commands the reducer answers with.
///
/// * Connect: the first frame sent is `feature_flags`; then a resync (queue + history of
///   every unfinished prompt, one coalesced action) while incoming frames wait.
/// * Reconnect: a clean close by the server (1000/1001) after a healthy connection comes
///   back at once; anything else backs off (`Backoff`, full jitter), and repeated
///   failures open the `CircuitBreaker`. 401/403 stop reconnecting: no storm.
/// * Heartbeat: the transport pings; a dead peer is found within two intervals.
/// * Stall detector: a prompt of ours runs and nothing arrives → probe `GET /queue`; if the
///   socket missed something (ComfyUI #16010), reconnect.
///
/// Time comes from the injected clock, so every policy is testable without waiting.
public actor ComfyClient {
    public nonisolated let store: ComfyStore
    public nonisolated let configuration: ClientConfiguration
    let clock: ClientClock
    let transport: any SocketTransport
    /// The HTTP client, for calls outside the reducer's commands (downloads); shut down by `stop()`.
    public nonisolated let http: any ComfyHTTP
    let random: @Sendable () -> Double

    var breaker: CircuitBreaker
    /// Connection failures in a row (for the backoff).
    var failures = 0
    var socketNumber = 0
    var current: (socket: Int, channel: any SocketChannel)?
    /// Set when we close the current socket ourselves, with the reason to report.
    var clientCloseReason: String?
    var stopping = false
    var loopTask: Task<Void, Never>?
    var commandTask: Task<Void, Never>?
    let commands: AsyncStream<Command>
    let commandSink: AsyncStream<Command>.Continuation
    /// Frames that arrived while a resync ran, with their arrival times (nil: no resync).
    var held: [(SocketMessage, Timestamp)]?
    /// Prompt ids POSTed at least once: a second POST first asks the server.
    var posted: Set<String> = []
    /// A resync is due after a "not now" answer to a POST (the outbox waits for one).
    var retryScheduled = false
    /// Why the current socket's inbound failed, if it did.
    var inboundFailure: ConnectionProblem?
    /// Commands queued and not yet carried out, and who waits for none to be left.
    var queuedCommands = 0
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
    /// The current socket's frame decoder (it remembers the last `progress_state`).
    var frameDecoder = StreamDecoder()
    /// Reads queued and not yet started (see `issue`).
    var waitingReads: Set<String> = []
    /// When the last `GET /queue` follow-up went out (client time).
    var lastQueueRead: Timestamp?
    /// Awaited before a job is posted (the fleet writes it to its job store first).
    var beforeSend: (@Sendable (String) async -> Void)?
    /// Where commands for other servers go (set by the fleet); nil: nowhere (one server).
    var forward: (@Sendable (String, Command) -> Void)?
    /// The timer that declares the server lost if it stays offline (`lostAfter`).
    var graceTask: Task<Void, Never>?
    /// Catalogues already read, shared with the fleet's other clients.
    var capabilitiesCache: CapabilitiesCache
    /// Callers of `resync()` waiting for the next resync to end.
    var resyncWaiters: [CheckedContinuation<ResyncFindings?, Never>] = []
    var commandsStopped = false
    /// The socket whose stall detector has ended: its read loop stops.
    var stoppedReading: Int?
    /// Sees every frame, socket event and HTTP exchange as a transcript entry (for
    /// `trace` and `record`). Headers are never part of an entry.
    var tap: (@Sendable (TranscriptEntry) -> Void)?

    /// A client on `clock` (`ContinuousClock()` live, a test clock in tests): every policy's
    /// time, and every action's timestamp, comes from it.
    public init<C: Clock>(
        configuration: ClientConfiguration, store: ComfyStore = ComfyStore(), clock: C,
        transport: any SocketTransport = WSClientTransport(), http: (any ComfyHTTP)? = nil,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        capabilities: CapabilitiesCache = CapabilitiesCache()
    ) where C.Duration == Duration {
        self.init(
            configuration: configuration, store: store, clientClock: ClientClock(clock), transport: transport, http: http,
            random: random, capabilities: capabilities)
    }

    /// A client on a clock already erased (a fleet's clients share one origin).
    init(
        configuration: ClientConfiguration, store: ComfyStore, clientClock: ClientClock, transport: any SocketTransport,
        http: (any ComfyHTTP)?, random: @escaping @Sendable () -> Double, capabilities: CapabilitiesCache,
        tap: (@Sendable (TranscriptEntry) -> Void)? = nil
    ) {
        self.tap = tap
        self.capabilitiesCache = capabilities
        self.configuration = configuration
        self.store = store
        self.clock = clientClock
        self.transport = transport
        self.http = http ?? AsyncHTTPComfyHTTP(
            endpoint: configuration.endpoint, headers: configuration.headers, extraCAFile: configuration.extraCAFile,
            connectTimeout: configuration.connectTimeout)
        self.random = random
        self.breaker = CircuitBreaker(policy: configuration.breaker)
        (commands, commandSink) = AsyncStream.makeStream()
    }

    /// Seconds since the client was made, on its clock: the time of every action it dispatches.
    public var now: Timestamp { Timestamp(seconds: clock.elapsed().seconds) }

    /// Starts connecting (and reconnecting) in the background.
    public func start() {
        guard loopTask == nil, !stopping else { return }
        if store.state.queue.resubmitLimit != configuration.resubmitLimit {
            dispatch(.connection(.policy(resubmitLimit: configuration.resubmitLimit)))
        }
        commandTask = Task { await self.runCommands() }
        loopTask = Task { await self.runLoop() }
    }

    /// Closes the socket cleanly (1000), stops reconnecting and waits until nothing of the
    /// client is left running.
    public func stop() async {
        stopping = true
        graceTask?.cancel()
        graceTask = nil
        if let current {
            clientCloseReason = "closed by the client"
            await current.channel.close(code: 1000, reason: "client closing")
        } else {
            loopTask?.cancel()
        }
        await loopTask?.value
        commandSink.finish()
        await commandTask?.value
        commandsStopped = true
        resumeIdleWaiters()
        resumeResyncWaiters(nil)
        await http.shutdown()
    }

    /// Returns once every command queued so far (and any they led to) has been carried
    /// out, e.g. the answer to a submission whose prompt's events came first: a front end
    /// that reports when prompts end then has the whole answer.
    public func commandsDone() async {
        guard queuedCommands > 0, !commandsStopped else { return }
        await withCheckedContinuation { idleWaiters.append($0) }
    }

    func resumeIdleWaiters() {
        let waiters = idleWaiters
        idleWaiters = []
        for waiter in waiters { waiter.resume() }
    }

    /// Queues the commands the reducer asked for. A read that is already waiting to go out
    /// (the queue, one prompt's history) is not queued again: a burst of `status` frames
    /// asks for `GET /queue` once per frame, and the one waiting answers them all, so the
    /// same request is never queued twice (`ComfyClient+Commands` also spaces queue reads).
    func issue(_ commands: [Command]) {
        let me = store.state.server(for: configuration.name).name
        for addressed in commands {
            let (target, command) = addressed.target(default: me)
            guard target == me else {
                // For another server of the fleet (a routed job, a copy to cancel).
                forward?(target, command)
                continue
            }
            if let key = command.readKey, !waitingReads.insert(key).inserted { continue }
            queuedCommands += 1
            commandSink.yield(command)
        }
    }

    /// Something the user asked for: recorded in the state, carried out (or kept in the
    /// outbox while offline).
    public func request(_ request: UserRequest) {
        dispatch(.user(request))
    }

    /// Installs (or removes, with nil) the traffic tap.
    public func setTap(_ tap: (@Sendable (TranscriptEntry) -> Void)?) {
        self.tap = tap
    }

    /// Reports an HTTP exchange to the tap (answered ones only: a transcript has a status).
    func tapHTTP(_ exchange: HTTPExchange) {
        guard let tap, let status = exchange.status else { return }
        tap(.http(t: now.seconds, method: exchange.method, path: exchange.route, status: status,
                  request: exchange.request ?? .null, response: exchange.response ?? .null))
    }

    /// Dispatches `event` at the current time and carries out every command the reducer
    /// answers with: the one dispatch path for anything that happens to this client's
    /// state (a front end that fetched something itself, say). Dispatching into `store`
    /// directly would drop those commands.
    public func dispatch(_ event: Event) {
        issue(store.dispatch(ComfyAction(at: now, server: configuration.name, event)))
        if case .connection = event { watchGrace() }
    }

    /// Sleeps on the client's clock; false if cancelled (stop).
    func sleep(for duration: Duration) async -> Bool {
        guard duration > .zero else { return !Task.isCancelled }
        do {
            try await clock.sleep(duration)
            return true
        } catch {
            return false
        }
    }
}
