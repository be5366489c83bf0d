/// Everything a front end shows: the fleet of servers (each with its connection, queue
/// length, running nodes and progress), the queue with a record of every prompt we know
/// (each naming its server) and the client's own queue of jobs not yet sent, and a log.
/// Changed only by `ComfyReducer`.
///
/// A single server is a fleet of one. `connection`, `nodes` and `progress` are the first
/// server's (the shape of the state before fleets, kept for front ends of one server);
/// `servers` has every server's.
public struct AppState: Sendable, Equatable {
    /// The fleet, in the order the servers were given; the first is the primary.
    public internal(set) var servers: [ServerState]
    /// Every server's queue as we know it, our own queue of jobs not yet sent, and a record of
    /// every prompt we know.
    public internal(set) var queue = QueueState()
    /// A bounded ring of recent events.
    public internal(set) var log: LogState
    /// What earlier runs taught of how long nodes and workflows take (the ETA's source):
    /// learned as prompts succeed, read back from the job store at start. Not in ``json``.
    public internal(set) var estimates = DurationBook()

    /// A state for the servers named (by default one, called `default`).
    public init(logCapacity: Int = LogState.defaultCapacity, servers names: [String] = [ServerState.defaultName]) {
        log = LogState(capacity: logCapacity)
        servers = names.map(ServerState.init(name:))
    }

    /// The server called `name`.
    public func server(named name: String) -> ServerState? { servers.first { $0.name == name } }

    /// The server an action naming `name` concerns (nil: the first), or an idle one.
    public func server(for name: String?) -> ServerState {
        index(of: name).map { servers[$0] } ?? ServerState(name: name ?? ServerState.defaultName)
    }

    /// Where the server called `name` is in `servers`; nil names the primary.
    func index(of name: String?) -> Int? {
        guard let name else { return servers.isEmpty ? nil : 0 }
        return servers.firstIndex { $0.name == name }
    }

    /// The primary server's connection (the first in `servers`).
    public internal(set) var connection: ConnectionState {
        get { servers.first?.connection ?? ConnectionState() }
        set { primary.connection = newValue }
        _modify { yield &primary.connection }
    }

    /// The nodes of the prompt the primary server runs.
    public internal(set) var nodes: NodesState {
        get { servers.first?.nodes ?? NodesState() }
        set { primary.nodes = newValue }
        _modify { yield &primary.nodes }
    }

    /// Where the primary server's running prompt is.
    public internal(set) var progress: ProgressState {
        get { servers.first?.progress ?? ProgressState() }
        set { primary.progress = newValue }
        _modify { yield &primary.progress }
    }

    /// The first server, made if there is none.
    var primary: ServerState {
        get { servers.first ?? ServerState(name: ServerState.defaultName) }
        _modify {
            if servers.isEmpty { servers.append(ServerState(name: ServerState.defaultName)) }
            yield &servers[0]
        }
    }

    /// The stable JSON form documented in docs/state.md (version 2: `servers` added; the
    /// other keys are version 1's, the first server's where they concern one server).
    public var json: JSONValue {
        .object([
            JSONField("version", .number(Double(Self.schemaVersion))),
            JSONField("connection", connection.json),
            JSONField("queue", queue.json(servers: servers)),
            JSONField("nodes", nodes.json),
            JSONField("progress", progress.json),
            JSONField("log", log.json),
            JSONField("servers", .object(servers.map { JSONField($0.name, $0.json) })),
        ])
    }

    /// The `version` key of ``json``: 2 since fleets (docs/state.md, "Versions").
    public static let schemaVersion = 2
    /// The top-level keys of ``json`` besides `version`, in order: the slices a front end can
    /// show one at a time (the shell's `state SLICE`).
    public static let sliceNames = ["connection", "queue", "nodes", "progress", "log", "servers"]
}

extension ServerState {
    /// One entry of `servers` in the state's JSON: `{status, connection, remaining, nodes,
    /// progress, capabilities}`.
    public var json: JSONValue {
        .object([
            JSONField("status", .string(status.rawValue)),
            JSONField("connection", connection.json),
            JSONField("remaining", remaining.json),
            JSONField("nodes", nodes.json),
            JSONField("progress", progress.json),
            JSONField(
                "capabilities",
                capabilities.map { .object([JSONField("classes", .number(Double($0.classes.count))), JSONField("version", $0.version.json)]) }
                    ?? .null),
        ])
    }
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
