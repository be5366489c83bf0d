/// Everything a front end shows, in five slices. Changed only by `reduce`.
public struct AppState: Sendable, Equatable {
    public var connection = ConnectionState()
    public var queue = QueueState()
    public var nodes = NodesState()
    public var progress = ProgressState()
    public var log: LogState

    public init(logCapacity: Int = LogState.defaultCapacity) {
        log = LogState(capacity: logCapacity)
    }

    /// The stable JSON form documented in docs/state.md.
    public var json: JSONValue {
        .object([
            JSONField("connection", connection.json),
            JSONField("queue", queue.json),
            JSONField("nodes", nodes.json),
            JSONField("progress", progress.json),
            JSONField("log", log.json),
        ])
    }

    public static let sliceNames = ["connection", "queue", "nodes", "progress", "log"]
}

/// Sorts ids the way people read them: numbers numerically ("2" < "10"), then the rest.
func idOrder(_ a: String, _ b: String) -> Bool {
    switch (Int(a), Int(b)) {
    case let (x?, y?): return x < y
    case (_?, nil): return true
    case (nil, _?): return false
    case (nil, nil): return a < b
    }
}
