/// Bad answers, on command: what a server gives that is not (quite) ComfyUI, for the
/// client's bad-input handling. Each stays in effect until changed; off, the simulator
/// answers exactly as without them.
extension ComfyUISimulator {
    /// While set, `method route` is answered with `answer` instead of running; `route` is
    /// without `/api` (`"/prompt"`, `"/system_stats"`) and matches both forms. `nil`
    /// restores the route.
    ///
    ///     await simulator.setAnswer(.serverError, for: "POST", "/prompt")
    ///     await simulator.setAnswer(.webPage(status: 404), for: "GET", "/system_stats")
    public func setAnswer(_ answer: CannedAnswer?, for method: String, _ route: String) async {
        faults.setCannedAnswer(answer, method: method, route: route)
    }

    /// While true, every WebSocket upgrade is refused (Hummingbird answers 400) and HTTP
    /// answers as usual: a web server that is not ComfyUI, or a proxy that does not pass
    /// WebSockets through.
    public func setRefusingUpgrades(_ refusing: Bool) async {
        faults.refusingUpgrades = refusing
    }

    /// History answers (`GET /history`, `GET /history/{id}`) leave these keys out of every
    /// entry: a top-level key (`"status"`, `"outputs"`, `"prompt"`) or one level down
    /// (`"status.messages"`, `"status.status_str"`). Empty: whole entries again.
    public func setHistoryOmitting(_ keys: [String]) async {
        faults.historyOmits = keys
    }
}

/// Inspection of what clients sent.
extension ComfyUISimulator {
    /// Starts recording the values of these request headers (case-insensitive) on every
    /// HTTP request and WebSocket upgrade; empty stops. Off by default: nothing is kept.
    public func setRecordingHeaders(_ names: Set<String>) async {
        faults.recordedHeaderNames = Set(names.map { $0.lowercased() })
    }

    /// The recorded headers, oldest first (at most the last 1000).
    public var receivedHeaders: [ReceivedHeader] {
        get async { faults.receivedHeaders }
    }
}
