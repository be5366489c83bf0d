/// What an action from one server may change: that server's slice, the shared queue and
/// the log. The reducers for server events are written against this (`connection`,
/// `nodes`, `progress` are the server's), so one server and a fleet share every rule.
///
/// The four parts are reached where they are stored in the state (`AppState.withScope`
/// hands their addresses, valid only while the reduction runs): moving them into the scope
/// and back — a server's state alone is some 900 bytes — cost a tenth of decode+reduce.
struct ServerScope {
    private let serverSlot: UnsafeMutablePointer<ServerState>
    private let queueSlot: UnsafeMutablePointer<QueueState>
    private let logSlot: UnsafeMutablePointer<LogState>
    private let estimatesSlot: UnsafeMutablePointer<DurationBook>

    /// The server this action is from.
    var server: ServerState {
        _read { yield serverSlot.pointee }
        _modify { yield &serverSlot.pointee }
    }
    /// Every server's queue as we know it, and our own.
    var queue: QueueState {
        _read { yield queueSlot.pointee }
        _modify { yield &queueSlot.pointee }
    }
    var log: LogState {
        _read { yield logSlot.pointee }
        _modify { yield &logSlot.pointee }
    }
    /// The learned durations: read when a prompt starts, written when one succeeds.
    var estimates: DurationBook {
        _read { yield estimatesSlot.pointee }
        _modify { yield &estimatesSlot.pointee }
    }

    /// How many servers the fleet has (a refusal can send a job elsewhere only if more than one).
    var fleetSize = 1
    /// Commands asked for where no context is at hand (`adopt`, from `updatePrompt`), for
    /// a server (nil: this one); the reduction hands them on.
    var deferred: [(command: Command, server: String?)] = []

    /// `body` on the queue where it is stored, `inout`. For the per-frame questions
    /// (`heldOn`, `hasRunning`…): a non-mutating method called on `queue` — read through
    /// `_read` from the pointer — was called on a copy of the whole `QueueState` (a memcpy
    /// and a retain and release of each of its fields: the compiler cannot know that the
    /// memory stays unchanged during the call); an `inout` access tells it.
    mutating func inQueue<R>(_ body: (inout QueueState) -> R) -> R {
        body(&queueSlot.pointee)
    }

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

    init(
        server: UnsafeMutablePointer<ServerState>, queue: UnsafeMutablePointer<QueueState>, log: UnsafeMutablePointer<LogState>,
        estimates: UnsafeMutablePointer<DurationBook>, fleetSize: Int
    ) {
        serverSlot = server
        queueSlot = queue
        logSlot = log
        estimatesSlot = estimates
        self.fleetSize = fleetSize
    }
}

extension AppState {
    /// Runs `body` on the server at `index` with the queue, the log and the learned
    /// durations, reached in place: the reducer's writes go straight into the state.
    mutating func withScope<R>(_ index: Int, _ body: (inout ServerScope) -> R) -> R {
        let fleetSize = servers.count
        // Distinct stored properties of `self`: their accesses may overlap.
        return servers.withUnsafeMutableBufferPointer { servers in
            withUnsafeMutablePointer(to: &queue) { queue in
                withUnsafeMutablePointer(to: &log) { log in
                    withUnsafeMutablePointer(to: &estimates) { estimates in
                        var scope = ServerScope(server: servers.baseAddress! + index, queue: queue, log: log, estimates: estimates, fleetSize: fleetSize)
                        return body(&scope)
                    }
                }
            }
        }
    }
}
