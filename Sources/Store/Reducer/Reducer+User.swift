/// What the user asked for: recorded in the state, answered with commands — or, while a
/// server is offline or resyncing, kept in its outbox and sent after its next resync.
///
/// Submissions go through our own queue (`waiting`), and the router sends each to a server
/// that can run it when one has room (`Reducer+Route`); the rest go to the server the
/// prompt is on.
extension AppState {
    mutating func apply(_ request: UserRequest, server: String?, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch request {
        case .submit(let id, let graph, let body, let front):
            enqueueJob(JobRequest(promptID: id, graph: graph, body: body, priority: front ? -1 : 0), at: at)
        case .submitJob(let job):
            enqueueJob(job, at: at)
        case .cancel(let id):
            guard let record = queue.records[id] else {
                log.append(.warning, .cancel, "no prompt \(id.short) is known", at: at)
                return
            }
            if record.status == .waiting {
                var cancelled = record
                cancelled.move(to: .cancelled, at: at)
                queue.setRecord(id, cancelled)
                log.append(.info, .cancel, "prompt \(id.short) cancelled before it was sent", at: at)
            } else if let index = index(of: record.server ?? server) {
                withScope(index) { $0.answer(request, &ctx) }
            }
        case .interrupt(let id):
            // Never a bare interrupt: it can hit whatever runs next (protocol 4.5).
            let target = id ?? queue.runningIDs.first(where: { queue.records[$0]?.owner == .ours })
            guard let target, let record = queue.records[target], record.status == .running, let index = index(of: record.server) else {
                log.append(.warning, .interrupt, "no running prompt\(id.map { " \($0.short)" } ?? " of ours") to interrupt", at: at)
                return
            }
            withScope(index) { $0.answer(.interrupt(promptID: target), &ctx) }
        case .clearQueue:
            // Every server's pending prompts, and our own queue.
            for id in queue.waitingIDs {
                var cancelled = queue.records[id]!
                cancelled.move(to: .cancelled, at: at)
                queue.setRecord(id, cancelled)
            }
            for index in servers.indices { withScope(index) { $0.answer(request, &ctx) } }
        case .resync:
            if let index = index(of: server) { withScope(index) { $0.answer(request, &ctx) } }
        }
    }

    /// A job joins our queue (recorded before anything is sent: events can come before a
    /// submission's answer, protocol 4.1); the router sends it on.
    mutating func enqueueJob(_ job: JobRequest, at: Timestamp) {
        let id = job.promptID
        var record = queue.record(id, creating: .waiting, owner: .ours)
        guard record.status == .waiting, record.server == nil, record.sentTo.isEmpty else {
            log.append(.warning, .submit, "prompt \(id.short) was submitted already", at: at)
            return
        }
        record.submittedAt = at
        record.clientID = job.graph.clientID
        record.nodeCount = job.graph.nodes.count
        record.resubmitBody = job.body
        record.priority = job.priority
        record.pinned = job.pinned
        record.label = job.label
        record.workflowKey = WorkflowShape(prompt: job.body)?.key
        queue.setRecord(id, record)
        queue.unplaced.insert(id)
        log.append(.info, .submit, "prompt \(id.short) (\(job.graph.nodes.count) nodes) waits for a server", at: at)
    }
}

extension ServerScope {
    /// A request for this server: carried out now, or kept in its outbox while it is
    /// offline (a resync is always answered: it is how the server is reached again).
    mutating func answer(_ request: UserRequest, _ ctx: inout ReduceContext) {
        ctx.scope = name
        defer { ctx.scope = nil }
        guard !connection.isOnline, request != .resync else { return perform(request, &ctx) }
        var local = ReduceContext(at: ctx.at)
        perform(request, &local)
        for command in local.commands { enqueue(command, at: ctx.at) }
    }

    /// Keeps `command` for later, bounded: past the limit the oldest entry is dropped, and said so.
    mutating func enqueue(_ command: Command, at: Timestamp) {
        connection.outbox.append(.init(command: command, at: at))
        log.append(.info, .outbox, "offline: \(command.summary) waits for the connection", at: at)
        if connection.outbox.count > connection.outboxLimit {
            let dropped = connection.outbox.removeFirst()
            log.append(.warning, .outbox, "outbox full: dropped \(dropped.command.summary)", at: at)
        }
    }

    private mutating func perform(_ request: UserRequest, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch request {
        case .cancel(let id):
            switch queue.records[id]?.status {
            case .queued?: ctx.emit(.deleteFromQueue([id]))
            // Interrupting by id does not dequeue, and dequeuing does not stop: pick the call.
            case .running?: ctx.emit(.interrupt(promptID: id))
            case let status?:
                log.append(.warning, .cancel, "prompt \(id.short) is \(status.rawValue); nothing to cancel", at: at)
            case nil:
                log.append(.warning, .cancel, "no prompt \(id.short) is known", at: at)
            }
        case .interrupt(let id?):
            ctx.emit(.interrupt(promptID: id))
        case .clearQueue:
            ctx.emit(.clearQueue)
        case .resync:
            ctx.emit(.resync)
        case .submit, .submitJob, .interrupt(nil):
            break  // fleet-level (AppState.apply)
        }
    }
}
