import ComfyCore

extension ComfyClient {
    /// Opens a connection for a front end that needs one now: checks that a ComfyUI server
    /// answers (`GET /system_stats`, whose answer fills `connection.server`), starts a
    /// client and waits until it is connected and resynced — all within the configuration's
    /// connect timeout. On failure nothing is left running.
    public static func open(
        _ configuration: ClientConfiguration, store: ComfyStore = ComfyStore()
    ) async throws(ConnectionFailure) -> ComfyClient {
        let (http, probe) = try await Self.probe(configuration)
        let client = ComfyClient(configuration: configuration, store: store, clock: ContinuousClock(), http: http)
        await client.dispatch(.http(probe.result))
        try await client.connectNow()
        return client
    }

    /// Asks `GET /system_stats` whether a ComfyUI server answers: the HTTP client to keep
    /// and the answer, or why not (nothing is left running then).
    public static func probe(_ configuration: ClientConfiguration) async throws(ConnectionFailure) -> (AsyncHTTPComfyHTTP, HTTPExchange) {
        let endpoint = configuration.endpoint.description
        let timeout = configuration.connectTimeout
        let http = AsyncHTTPComfyHTTP(
            endpoint: configuration.endpoint, headers: configuration.headers, extraCAFile: configuration.extraCAFile,
            connectTimeout: timeout)
        let probe = await http.send(.systemStats, timeout: timeout)
        guard let status = probe.status else {
            await http.shutdown()
            throw ConnectionFailure(
                .unreachable, problem: probe.failure,
                "cannot reach \(endpoint): \(probe.failure?.description ?? "no answer") (waited up to \(Int(timeout.seconds)) s)")
        }
        if status == 401 || status == 403 {
            await http.shutdown()
            throw ConnectionFailure(
                .refused, problem: .credentialsRefused(status: status, retryAfterSeconds: nil),
                "\(endpoint) refused the request (HTTP \(status)): check --header or $COMFY_TOKEN")
        }
        if (500...599).contains(status) {
            // ComfyUI starting, or a proxy in front of one that is down: not a verdict on
            // what the server is. Unreachable for now, so a fleet keeps trying it (read as
            // "not ComfyUI", a server's 503 window once kept it out of a resumed run for
            // good, while it still ran jobs the run then sent elsewhere too).
            await http.shutdown()
            throw ConnectionFailure(
                .unreachable, "\(endpoint) is unavailable for now (GET /system_stats → \(status)): starting, or behind a proxy whose server is down?")
        }
        guard status == 200, case .systemStats = probe.result else {
            await http.shutdown()
            let what = status == 200 ? "200, not ComfyUI's system stats" : "\(status)"
            throw ConnectionFailure(.notComfyUI, "\(endpoint) answers HTTP but is not a ComfyUI server (GET /system_stats → \(what))")
        }
        return (http, probe)
    }

    /// Starts the client and waits, within the connect timeout, until it is connected and
    /// resynced; if it is not, stops it and says why.
    public func connectNow() async throws(ConnectionFailure) {
        let endpoint = configuration.endpoint.description
        let timeout = configuration.connectTimeout
        switch await ready(within: timeout, stopAtHopeless: true) {
        case .online:
            return
        case .gaveUp(let problem):
            await stop()
            throw ConnectionFailure(.refused, problem: problem, problem.description)
        case .hopeless(let problem):
            await stop()
            if case .upgradeRefused = problem {
                throw ConnectionFailure(.notComfyUI, problem: problem, "\(endpoint) answers HTTP but \(problem)")
            }
            throw ConnectionFailure(.hopeless, problem: problem, "\(endpoint): cannot open its WebSocket: \(problem)")
        case .notYet(let problem):
            let state = store.state.server(for: configuration.name).connection
            await stop()
            let last = problem?.description ?? state.lastClose?.reason ?? state.phase.name
            throw ConnectionFailure(
                .timedOut, problem: problem,
                "\(endpoint) did not accept a WebSocket within \(Int(timeout.seconds)) s (last attempt: \(last))")
        }
    }

    /// Starts the client (if it is not running) and waits until it is online, gives up, or
    /// `limit` passes; with `stopAtFirstFailure`, also until an attempt has failed (a shell
    /// should not be held while the client goes on trying in the background), and with
    /// `stopAtHopeless` until an attempt no retry can help. The limit is real time: it
    /// bounds a wait on I/O, it is not a policy.
    public func ready(within limit: Duration, stopAtFirstFailure: Bool = false, stopAtHopeless: Bool = false) async -> Readiness {
        // Subscribed before the client starts, so no attempt's outcome slips by.
        let updates = store.changes()
        start()
        let verdict = await withTaskGroup(of: Readiness?.self) { group in
            group.addTask {
                let name = self.configuration.name
                func verdict(_ whole: AppState, _ event: Event?) -> Readiness? {
                    let state = whole.server(for: name)
                    if state.connection.isOnline { return .online }
                    if case .failed(let reason) = state.connection.phase { return .gaveUp(reason) }
                    if case .connection(.attemptFailed(let reason))? = event {
                        if stopAtHopeless, reason.isHopeless { return .hopeless(reason) }
                        if stopAtFirstFailure { return .notYet(reason) }
                    }
                    if stopAtFirstFailure, case .reconnecting = state.connection.phase { return .notYet(state.connection.lastAttemptFailure) }
                    return nil
                }
                if let now = verdict(self.store.state, nil) { return now }
                for await change in updates {
                    guard change.action.server == name else { continue }
                    if let found = verdict(change.new, change.action.event) { return found }
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return verdict ?? .notYet(store.state.server(for: configuration.name).connection.lastAttemptFailure)
    }
}
