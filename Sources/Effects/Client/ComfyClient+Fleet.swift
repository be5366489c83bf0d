import ComfyCore

/// What a client does as one server of a fleet: read what its server can run, and say
/// when its server has been offline long enough to count as lost.
extension ComfyClient {
    /// `GET /object_info`, once per server version (the cache answers otherwise); the
    /// version comes from `/system_stats`, asked first if not known yet.
    func fetchCapabilities() async {
        if store.state.server(for: configuration.name).connection.server == nil {
            let stats = await send(.systemStats)
            dispatch(.http(stats.result))
        }
        let version = store.state.server(for: configuration.name).connection.server?.comfyuiVersion
        let endpoint = configuration.endpoint.description
        if let version, let known = await capabilitiesCache.cached(endpoint: endpoint, version: version) {
            return dispatch(.http(.capabilities(known)))
        }
        let answer = await send(.objectInfo)
        // No answer: the next connection asks again. An answer that cannot be read: the
        // server is trusted (it validates what it gets).
        guard let status = answer.status else { return }
        guard status == 200, let response = answer.response, let read = ServerCapabilities.parse(response, version: version) else {
            return dispatch(.http(.capabilities(nil)))
        }
        dispatch(.http(.capabilities(await capabilitiesCache.keep(read, endpoint: endpoint))))
    }

    /// After each connection event: offline, the grace period starts (once); online, it
    /// is called off. When it runs out with the server still offline, the server is lost.
    func watchGrace() {
        let connection = store.state.server(for: configuration.name).connection
        if connection.isOnline || connection.phase == .idle || stopping {
            graceTask?.cancel()
            graceTask = nil
            return
        }
        guard graceTask == nil, let grace = configuration.lostAfter else { return }
        graceTask = Task {
            guard await self.sleep(for: grace) else { return }
            self.graceRanOut(after: grace)
        }
    }

    func graceRanOut(after grace: Duration) {
        graceTask = nil
        guard !stopping, !store.state.server(for: configuration.name).connection.isOnline else { return }
        dispatch(.connection(.gone(reason: "offline for \(JSONWriter.number(grace.seconds)) s")))
    }

    /// Joins a fleet: commands for other servers go to `forward`, and `beforeSend` is awaited
    /// before each job is posted.
    func join(forward: @escaping @Sendable (String, Command) -> Void, beforeSend: @escaping @Sendable (String) async -> Void) {
        self.forward = forward
        self.beforeSend = beforeSend
    }

    /// Commands another party decided for this server (the fleet, routing a job here).
    func carryOut(_ commands: [Command]) {
        issue(commands)
    }
}
