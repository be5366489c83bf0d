import Effects
import Store

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
        guard status == 200, probe.response?["system"] != nil else {
            await http.shutdown()
            throw .unreachable("\(endpoint) answers HTTP but is not a ComfyUI server (GET /system_stats → \(status))")
        }
        let client = ComfyClient(configuration: configuration, clock: ContinuousClock(), http: http)
        client.store.dispatch(Action(at: .zero, .http(probe.result)))
        await client.start()
        let online = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await client.store.until { $0.connection.isOnline }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: configuration.connectTimeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard online else {
            let state = client.store.state.connection
            await client.stop()
            if case .failed(let reason) = state.phase { throw .refused(reason) }
            throw .unreachable("\(endpoint) did not accept a WebSocket within \(Int(configuration.connectTimeout.seconds)) s (\(state.lastClose?.reason ?? state.phase.name))")
        }
        return client
    }
}
