/// What an action from one server may change: that server's slice, the shared queue and
/// the log. The reducers for server events are written against this (`connection`,
/// `nodes`, `progress` are the server's), so one server and a fleet share every rule.
struct ServerScope {
    var server: ServerState
    var queue: QueueState
    var log: LogState
    /// The learned durations: read when a prompt starts, written when one succeeds.
    var estimates: DurationBook
    /// How many servers the fleet has (a refusal can send a job elsewhere only if more than one).
    var fleetSize = 1
    /// Commands asked for where no context is at hand (`adopt`, from `updatePrompt`), for
    /// a server (nil: this one); the reduction hands them on.
    var deferred: [(command: Command, server: String?)] = []

    /// Hands `deferred` to the reduction's context.
    mutating func flushDeferred(_ ctx: inout ReduceContext) {
        for (command, server) in deferred { ctx.emit(command, on: server ?? name) }
        deferred = []
    }

    var name: String { server.name }

    var connection: ConnectionState {
        _read { yield server.connection }
        _modify { yield &server.connection }
    }

    var nodes: NodesState {
        _read { yield server.nodes }
        _modify { yield &server.nodes }
    }

    var progress: ProgressState {
        _read { yield server.progress }
        _modify { yield &server.progress }
    }

    static let placeholder = ServerScope(server: ServerState(name: ""), queue: QueueState(), log: LogState(capacity: 1), estimates: DurationBook())
}

extension AppState {
    /// Runs `body` on the server at `index` with the queue and the log, moved (not copied)
    /// into the scope and back: the reducer's writes stay in place.
    mutating func withScope<R>(_ index: Int, _ body: (inout ServerScope) -> R) -> R {
        var scope = ServerScope.placeholder
        swap(&scope.server, &servers[index])
        swap(&scope.queue, &queue)
        swap(&scope.log, &log)
        swap(&scope.estimates, &estimates)
        scope.fleetSize = servers.count
        let result = body(&scope)
        swap(&scope.server, &servers[index])
        swap(&scope.queue, &queue)
        swap(&scope.log, &log)
        swap(&scope.estimates, &estimates)
        return result
    }
}
