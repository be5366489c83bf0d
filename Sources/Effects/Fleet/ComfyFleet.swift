import ComfyCore
import Foundation

/// Several ComfyUI servers in one state: a `ComfyClient` per server, all dispatching into
/// one `ComfyStore`, with our own queue of jobs routed among them by the reducer, and a job
/// store that keeps every job across crashes. A single server is a fleet of one.
///
/// Every command the reducer answers with is carried out by the client of the server it
/// names; a job is written to the job store before it is posted.
public actor ComfyFleet {
    public nonisolated let store: ComfyStore
    public let policy: FleetPolicy
    let clock: ClientClock
    let makeTransport: @Sendable () -> any SocketTransport
    let capabilities = CapabilitiesCache()
    let jobs: (any JobStore)?
    /// This process, as the owner of the jobs it follows.
    let owner = JobOwner.current
    /// Commands for servers, decided by the reducer wherever it ran, carried out in order.
    let handOff: AsyncStream<(String, [Command])>.Continuation
    let handOffStream: AsyncStream<(String, [Command])>
    var handingOff: Task<Void, Never>?
    /// The clients, by server name, in the fleet's order.
    var clients: [String: ComfyClient] = [:]
    var order: [String] = []
    /// Jobs of this fleet (submitted or restored): the ones the job store follows.
    var tracked: Set<String> = []
    /// What was last written of each job (so only changes are written).
    var written: [String: JobRow] = [:]
    var persisting: Task<Void, Never>?
    /// Jobs changed since they were last written, and whether a write is under way (writes
    /// go one at a time: see `flush`), with who waits for it.
    var dirty: Set<String> = []
    var writing = false
    /// The task writing marked jobs, while there are any.
    var writer: Task<Void, Never>?
    var writeWaiters: [CheckedContinuation<Void, Never>] = []
    /// The learned durations' generation (`DurationBook.generation`) last written, and
    /// whether they were read from the job store yet.
    var durationsWritten = 0
    var durationsLoaded = false
    /// The first error writing the job store, if any (the run goes on; it is reported).
    public internal(set) var jobStoreError: JobStoreError?

    /// A fleet of `servers` (each a configuration whose `name` is set), on `clock`. With
    /// `store`, the fleet joins a state a front end already holds (its servers are added to
    /// it), and `origin` keeps its times on the same scale as before.
    public init<C: Clock>(
        servers: [ClientConfiguration], clock: C, jobs: (any JobStore)? = nil, policy: FleetPolicy = FleetPolicy(),
        logCapacity: Int = LogState.defaultCapacity, store: ComfyStore? = nil, origin: C.Instant? = nil,
        transport: @escaping @Sendable () -> any SocketTransport = { WSClientTransport() }
    ) where C.Duration == Duration {
        let names = servers.map { $0.name ?? ServerState.defaultName }
        let clientClock = ClientClock(clock, origin: origin)
        if let store {
            let known = Set(store.state.servers.map(\.name))
            for name in names where !known.contains(name) {
                store.dispatch(ComfyAction(at: Timestamp(seconds: clientClock.elapsed().seconds), .fleet(.serverAdded(name: name))))
            }
            self.store = store
        } else {
            self.store = ComfyStore(initialState: AppState(logCapacity: logCapacity, servers: names))
        }
        self.clock = clientClock
        (handOffStream, handOff) = AsyncStream.makeStream()
        self.jobs = jobs
        self.policy = policy
        self.makeTransport = transport
        self.order = names
        self.pending = Dictionary(uniqueKeysWithValues: zip(names, servers).map { name, configuration in
            var configuration = configuration
            configuration.name = name
            return (name, configuration)
        })
    }

    /// The servers' configurations until their clients are made (`start` or `open`: a
    /// client holds an HTTP client that must be shut down, so none is made unused).
    var pending: [String: ClientConfiguration]

    func makeClient(_ configuration: ClientConfiguration, http: (any ComfyHTTP)?) -> ComfyClient {
        let name = configuration.name ?? ServerState.defaultName
        var clientTap: (@Sendable (TranscriptEntry) -> Void)?
        if let tap { clientTap = { entry in tap(name, entry) } }
        return Self.makeClient(
            configuration, http: http, store: store, clock: clock, transport: makeTransport, capabilities: capabilities,
            tap: clientTap)
    }

    /// The traffic tap, kept so that clients made later (at `open`, `start`, `add`) show
    /// their traffic too — a tap set before `open` sees the probe and the first resync.
    var tap: (@Sendable (String, TranscriptEntry) -> Void)?

    static func makeClient(
        _ configuration: ClientConfiguration, http: (any ComfyHTTP)?, store: ComfyStore, clock: ClientClock,
        transport: @Sendable () -> any SocketTransport, capabilities: CapabilitiesCache,
        tap: (@Sendable (TranscriptEntry) -> Void)? = nil
    ) -> ComfyClient {
        ComfyClient(
            configuration: configuration, store: store, clientClock: clock, transport: transport(), http: http,
            random: { Double.random(in: 0..<1) }, capabilities: capabilities, tap: tap)
    }

    /// Seconds since the fleet was made: the time of every action it dispatches.
    public var now: Timestamp { Timestamp(seconds: clock.elapsed().seconds) }

    /// The client of the server called `name`.
    public func client(_ name: String) -> ComfyClient? { clients[name] }

    /// The servers' names, in order.
    public var serverNames: [String] { order }

    /// Starts carrying out commands for servers (once).
    func startHandOff() {
        guard handingOff == nil else { return }
        handingOff = Task { [weak self] in await self?.runHandOff() }
    }

    /// Sets the policy, joins the clients and starts them all (each keeps trying in the
    /// background), and starts following jobs into the job store.
    public func start() async {
        await prepare()
        for name in order { await join(name) }
    }

    func join(_ name: String) async {
        if clients[name] == nil, let configuration = pending.removeValue(forKey: name) {
            clients[name] = makeClient(configuration, http: nil)
        }
        guard let client = clients[name] else { return }
        await attach(client)
        await client.start()
    }

    /// Opens the fleet for a front end that needs it now: each server is probed and
    /// connected, all at once, within its connect timeout. Servers that fail are reported
    /// (and keep trying, but for refusals and hopeless ones); it fails only if none connects.
    /// One server: exactly `ComfyClient.open`'s checks and messages.
    public func open() async throws(ConnectionFailure) -> [String: ConnectionFailure] {
        await prepare()
        var failures: [String: ConnectionFailure] = [:]
        await withTaskGroup(of: (String, ConnectionFailure?).self) { group in
            for name in order {
                guard let configuration = pending.removeValue(forKey: name) else { continue }
                group.addTask { (name, await self.openOne(name, configuration)) }
            }
            for await (name, failure) in group { if let failure { failures[name] = failure } }
        }
        if failures.count == order.count, let first = order.first.flatMap({ failures[$0] }) {
            throw first
        }
        // A server given up for good (refused, not ComfyUI) that holds jobs restored from
        // the job store is lost now, as one whose breaker opened: its jobs go elsewhere
        // under the same ids (a started one within the rerun limit). Nothing else would
        // ever follow them, and the run would wait for them forever.
        for (name, failure) in failures where !failure.isTransient {
            let holds = store.state.queue.prompts.values.contains {
                $0.server == name && $0.owner == .ours && ($0.status == .queued || $0.status == .running)
            }
            if holds { dispatch(.connection(.gone(reason: "given up at start: \(failure)")), server: name) }
        }
        return failures
    }

    func openOne(_ name: String, _ configuration: ClientConfiguration) async -> ConnectionFailure? {
        do {
            let (http, probe) = try await ComfyClient.probe(configuration)
            let client = makeClient(configuration, http: http)
            clients[name] = client
            await attach(client)
            await client.dispatch(.http(probe.result))
            try await client.connectNow()
            // Ready means resynced, and what follows a connect done too: the catalogue, and
            // how far the server's queue numbers have gone (so a prompt of someone else's
            // from now on is told from the ones before).
            await client.commandsDone()
            return nil
        } catch {
            // Unreachable or slow: it keeps trying in the background. Refused, hopeless or
            // not ComfyUI: it stays out (its client, if one was made, is stopped).
            if error.isTransient {
                if clients[name] == nil { clients[name] = makeClient(configuration, http: nil) }
                await join(name)
            }
            return error
        }
    }

    /// What every way of starting does first (each once): the hand-off of commands to
    /// clients, the policy in the state, and the job store following the store's changes
    /// — before any server connects, so what a resync learns about restored jobs is
    /// written too (started after `open`'s connects, a job that had ended while no comfysh
    /// ran was written only at the next change or at stop).
    func prepare() async {
        startHandOff()
        dispatch(.fleet(.policy(maxWaitingPerServer: policy.maxWaitingPerServer, rerunLimit: policy.rerunLimit)))
        await loadDurations()
        startPersisting()
    }

    /// Joins `client` to the fleet: commands it decides for other servers go through the
    /// hand-off, and a job is written to the job store before it is posted.
    func attach(_ client: ComfyClient) async {
        await client.join(
            forward: { [handOff] target, command in handOff.yield((target, [command])) },
            beforeSend: { [weak self] id in await self?.writeBeforeSending(id) })
    }

    /// Starts following the store's changes into the job store (once).
    ///
    /// It follows which prompts changed (merged while it is busy), not every change: it
    /// writes each job as the store has it when it writes, so every change's states kept
    /// for it were of no use, and 10 000 submissions' worth of them took gigabytes.
    func startPersisting() {
        guard jobs != nil, persisting == nil else { return }
        let changes = store.promptChanges()
        persisting = Task { [weak self] in
            for await changed in changes { await self?.persist(changed) }
        }
    }

    /// Dispatches a fleet-level event and carries out its commands.
    public func dispatch(_ event: Event, server: String? = nil) {
        let commands = store.dispatch(ComfyAction(at: now, server: server, event))
        let fallback = server ?? order.first ?? ServerState.defaultName
        for command in commands {
            let (target, plain) = command.target(default: fallback)
            deliver([plain], to: target)
        }
    }

    /// Commands for a server, in the order they were decided: one queue for the fleet (a
    /// task per command could overtake another — a job sent before the one routed first).
    func deliver(_ commands: [Command], to server: String) {
        handOff.yield((server, commands))
    }

    /// Carries out what `handOff` holds, in order, until the fleet stops.
    func runHandOff() async {
        for await (server, commands) in handOffStream {
            await clients[server]?.carryOut(commands)
        }
    }

    // MARK: Asking

    /// The node catalogues read so far, in the fleet's order of servers (each read once
    /// per server version): what a workflow in the editor's format is converted with, and
    /// `--set` and `--vary` are checked against, before it is submitted.
    public nonisolated func catalogs() -> [(server: String, catalog: NodeCatalog)] {
        store.state.servers.compactMap { server in server.capabilities?.catalog.map { (server.name, $0) } }
    }

    /// Submits `workflow` as a job: written to the job store first, then into our queue;
    /// the fleet sends it to a server that can run it (a workflow in the editor's format is
    /// converted by that server's client, with its catalogue). Returns its prompt id.
    @discardableResult
    public func submit(
        _ workflow: Workflow, front: Bool = false, number: Double? = nil, on pinned: [String]? = nil, label: String? = nil,
        promptID: String? = nil
    ) async -> String {
        await submit([JobSubmission(workflow, front: front, number: number, on: pinned, label: label, promptID: promptID)])[0]
    }

    /// Submits several jobs, in order, as `submit(_:front:number:on:label:promptID:)` each:
    /// their first rows are written to the job store in one write (one transaction instead
    /// of one per job: most of the time `comfysh run` with 10 000 files took to get going),
    /// then each joins our queue. Returns their prompt ids.
    @discardableResult
    public func submit(_ submissions: [JobSubmission]) async -> [String] {
        let clientID = clients[order.first ?? ""]?.configuration.clientID ?? ClientIdentity.persistent()
        var requests: [JobRequest] = []
        var rows: [JobRow] = []
        for submission in submissions {
            let id = submission.promptID ?? Workflow.newPromptID()
            let workflow = submission.workflow
            let body = workflow.body(promptID: id, clientID: clientID, front: submission.front, number: submission.number)
            let job = JobRequest(
                promptID: id, graph: workflow.submitted(clientID: clientID), body: body,
                priority: submission.number ?? (submission.front ? -1 : 0), pinned: submission.pinned,
                label: submission.label ?? workflow.label)
            tracked.insert(id)
            requests.append(job)
            if jobs != nil {
                rows.append(JobRow(
                    id: id, status: .waiting, workflow: body, label: job.label, priority: job.priority, pinned: submission.pinned,
                    owner: owner.id, submittedAt: Date().timeIntervalSince1970, updatedAt: Date().timeIntervalSince1970))
            }
        }
        if jobs != nil { await writeFirst(rows) }
        for job in requests { dispatch(.user(.submitJob(job))) }
        return requests.map(\.promptID)
    }

    /// Cancels a job wherever it is: taken out of the client queue if it waits there,
    /// dequeued or interrupted on its server otherwise. Returns once that server answered.
    public func cancel(_ promptID: String) async {
        dispatch(.user(.cancel(promptID: promptID)))
        await commandsDone()
    }

    /// Interrupts our running job `promptID` (or the one running), on its server.
    public func interrupt(_ promptID: String? = nil) async {
        dispatch(.user(.interrupt(promptID: promptID)))
        await commandsDone()
    }

    /// Empties the pending queue of every server (and the jobs waiting in ours).
    public func clear() async {
        dispatch(.user(.clearQueue))
        await commandsDone()
    }

    /// Resyncs every server; what each found.
    public func resync() async -> [String: ResyncFindings] {
        var found: [String: ResyncFindings] = [:]
        for name in order {
            if let client = clients[name], let findings = await client.resync() { found[name] = findings }
        }
        return found
    }

    /// Downloads a prompt's outputs from the server that made them.
    public func download(outputsOf promptID: String, to folder: String, overwrite: Bool = false) async -> [OutputFiles.Outcome] {
        let record = store.state.queue.prompts[promptID]
        guard let server = record?.server ?? order.first, let client = clients[server] else { return [] }
        return await client.download(outputsOf: promptID, to: folder, overwrite: overwrite)
    }

    /// Waits until every client has carried out every command queued so far.
    public func commandsDone() async {
        for name in order { await clients[name]?.commandsDone() }
    }

    // MARK: Servers joining and leaving

    /// Adds a server (it starts connecting at once).
    public func add(_ configuration: ClientConfiguration) async {
        guard let name = configuration.name, clients[name] == nil, !order.contains(name) else { return }
        pending[name] = configuration
        order.append(name)
        dispatch(.fleet(.serverAdded(name: name)))
        await join(name)
    }

    /// Removes a server: our jobs on it go to the others; it disconnects.
    public func remove(_ name: String) async {
        guard let client = clients[name] else { return }
        dispatch(.fleet(.serverRemoved(name: name)))
        clients[name] = nil
        order.removeAll { $0 == name }
        await client.stop()
    }

    /// Stops every client (cleanly) and the job store's follower, after writing what is left.
    public func stop() async {
        for name in order { await clients[name]?.stop() }
        await persistLast()
        handOff.finish()
        await handingOff?.value
        handingOff = nil
    }

    /// The configuration of the server called `name` (its URL, headers: never shown whole).
    public func configuration(of name: String) -> ClientConfiguration? {
        clients[name]?.configuration ?? pending[name]
    }

    /// Starts every server and waits, each within `limit`, for its first outcome: online,
    /// refused, or a first failed attempt (it keeps trying in the background) — what a
    /// shell says after `connect`, without holding the prompt while servers are down.
    public func startAndWait(within limit: Duration) async -> [String: Readiness] {
        await prepare()
        var out: [String: Readiness] = [:]
        await withTaskGroup(of: (String, Readiness).self) { group in
            for name in order {
                if clients[name] == nil, let configuration = pending.removeValue(forKey: name) {
                    clients[name] = makeClient(configuration, http: nil)
                }
                guard let client = clients[name] else { continue }
                await attach(client)
                group.addTask { (name, await client.ready(within: limit, stopAtFirstFailure: true)) }
            }
            for await (name, readiness) in group { out[name] = readiness }
        }
        return out
    }

    /// Shows every server's traffic to `tap` (trace, record); nil stops it.
    public func setTap(_ tap: (@Sendable (String, TranscriptEntry) -> Void)?) async {
        self.tap = tap
        for name in order {
            guard let client = clients[name] else { continue }
            if let tap {
                await client.setTap { entry in tap(name, entry) }
            } else {
                await client.setTap(nil)
            }
        }
    }

    // MARK: The events

    public nonisolated func updates(bufferingNewest limit: Int? = nil) -> StoreUpdates { store.updates(bufferingNewest: limit) }
    public nonisolated func events() -> ClientEventStream { store.events() }
}
