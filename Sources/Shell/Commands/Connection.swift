import ComfyLive
import ComfyCore

/// Opening a live connection for a subcommand, with the exit statuses scripts rely on.
enum LiveConnection {
    enum Failure: Error, CustomStringConvertible {
        /// The server could not be reached as a ComfyUI server in time: exit 3.
        case unreachable(String)
        /// The server refused us (401/403): exit 2, the credentials are the user's input.
        case refused(String)
        var description: String {
            switch self {
            case .unreachable(let m), .refused(let m): m
            }
        }
    }

    /// How the wait for the socket ended.
    private enum Verdict: Sendable {
        case online
        /// The client gave up (401/403).
        case refused(String)
        /// An HTTP server answered the upgrade with something else: trying again cannot help.
        case notComfyUI(String)
        /// Nor can it here (see `HopelessAttempt`).
        case hopeless(String)
        case timedOut
    }

    /// Checks that a ComfyUI server answers, then starts a client and waits until it is
    /// connected and resynced, all within the connect timeout.
    static func open(_ configuration: ClientConfiguration) async throws(Failure) -> ComfyClient<ContinuousClock> {
        let endpoint = configuration.endpoint.description
        let http = AsyncHTTPComfyHTTP(
            endpoint: configuration.endpoint, headers: configuration.headers, extraCAFile: configuration.extraCAFile,
            connectTimeout: configuration.connectTimeout)
        let probe = await http.send(method: "GET", route: "/system_stats", body: nil, timeout: configuration.connectTimeout)
        guard let status = probe.status else {
            await http.shutdown()
            throw .unreachable("cannot reach \(endpoint): \(probe.failure ?? "no answer") (waited up to \(Int(configuration.connectTimeout.seconds)) s)")
        }
        if status == 401 || status == 403 {
            await http.shutdown()
            throw .refused("\(endpoint) refused the request (HTTP \(status)): check --header or $COMFY_TOKEN")
        }
        guard status == 200, case .systemStats = probe.result else {
            await http.shutdown()
            let what = status == 200 ? "200, not ComfyUI's system stats" : "\(status)"
            throw .unreachable("\(endpoint) answers HTTP but is not a ComfyUI server (GET /system_stats → \(what))")
        }
        let client = ComfyClient(configuration: configuration, clock: ContinuousClock(), http: http)
        client.store.dispatch(ComfyAction(at: .zero, .http(probe.result)))
        // Subscribed before the client starts, so no attempt's outcome slips by.
        let changes = client.store.changes()
        await client.start()
        let verdict = await withTaskGroup(of: Verdict.self) { group in
            group.addTask {
                for await change in changes {
                    if change.new.connection.isOnline { return .online }
                    if case .failed(let reason) = change.new.connection.phase { return .refused(reason) }
                    if case .connection(.attemptFailed(let reason)) = change.action.event {
                        if UpgradeRefusal.matches(reason) { return .notComfyUI(reason) }
                        if HopelessAttempt.matches(reason) { return .hopeless(reason) }
                    }
                }
                return .timedOut
            }
            group.addTask {
                try? await Task.sleep(for: configuration.connectTimeout)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        switch verdict {
        case .online:
            return client
        case .refused(let reason):
            await client.stop()
            throw .refused(reason)
        case .notComfyUI(let reason):
            await client.stop()
            throw .unreachable("\(endpoint) answers HTTP but \(reason)")
        case .hopeless(let reason):
            await client.stop()
            throw .unreachable("\(endpoint): cannot open its WebSocket: \(reason)")
        case .timedOut:
            let state = client.store.state
            await client.stop()
            let last = lastAttemptFailure(state) ?? state.connection.lastClose?.reason ?? state.connection.phase.name
            throw .unreachable("\(endpoint) did not accept a WebSocket within \(Int(configuration.connectTimeout.seconds)) s (last attempt: \(last))")
        }
    }

    /// Why the latest connection attempt failed, as the log has it.
    static func lastAttemptFailure(_ state: AppState) -> String? {
        let prefix = "connection attempt failed: "
        return state.log.entries.last { $0.kind == "connection" && $0.message.hasPrefix(prefix) }
            .map { String($0.message.dropFirst(prefix.count)) }
    }
}
