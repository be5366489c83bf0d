/// What the user asked for: recorded in the state, answered with commands — or, while
/// offline or resyncing, kept in the outbox and sent after the next resync.
extension AppState {
    mutating func apply(_ request: UserRequest, _ ctx: inout ReduceContext) {
        guard !connection.isOnline, request != .resync else { return answer(request, &ctx) }
        var local = ReduceContext(at: ctx.at)
        answer(request, &local)
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

    private mutating func answer(_ request: UserRequest, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch request {
        case .submit(let id, let graph, let body, _):
            // Recorded before the POST: events can arrive before its answer (protocol 4.1).
            let keepBody = queue.resubmitLimit > 0
            updatePrompt(id, creating: .queued, owner: .ours) {
                $0.submittedAt = at
                $0.clientID = graph.clientID
                $0.nodeCount = graph.nodes.count
                if keepBody { $0.resubmitBody = body }
            }
            ctx.emit(.postPrompt(promptID: id, body: body))
            log.append(.info, .submit, "submitting prompt \(id.short) (\(graph.nodes.count) nodes)", at: at)

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

        case .interrupt(let id):
            // Never a bare interrupt: it can hit whatever runs next (protocol 4.5).
            let target = id ?? queue.runningIDs.first(where: { queue.records[$0]?.owner == .ours })
            if let target, queue.records[target]?.status == .running {
                ctx.emit(.interrupt(promptID: target))
            } else {
                log.append(.warning, .interrupt, "no running prompt\(id.map { " \($0.short)" } ?? " of ours") to interrupt", at: at)
            }

        case .clearQueue:
            ctx.emit(.clearQueue)

        case .resync:
            ctx.emit(.resync)
        }
    }
}
