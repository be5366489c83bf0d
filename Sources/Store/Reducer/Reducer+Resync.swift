/// A resync's answers, applied as one action: prompts that finished while we were away
/// get their outcome and outputs from history, prompts the server forgot are lost,
/// phantom running nodes are settled, and the outbox goes out — minus anything the
/// server already has, so a retried submission is never enqueued twice.
extension ServerScope {
    mutating func applyResync(queue snapshot: QueueSnapshot, history: [ResyncedHistory], _ ctx: inout ReduceContext) {
        let at = ctx.at
        connection.resyncing = false
        connection.resyncedAt = at
        let before = queue.records
        // How far its numbers go is learned afresh at every resync: a server that restarted
        // numbers from zero again, below what we had seen.
        server.highestNumber = nil
        server.historyWasEmpty = false
        var local = ReduceContext(at: at)
        applyQueueSnapshot(snapshot, &local)
        let looked = Set(history.map(\.promptID))
        for lookup in history {
            for entry in lookup.entries { reconcile(entry, at: at) }
            // The lookups were chosen when the resync began: a job that has left this
            // server since (it was lost, and the job went to another) is not judged by
            // them: sent here again as "forgotten", it would run on both servers.
            guard lookup.entries.isEmpty, let record = queue.records[lookup.promptID], record.server == name else { continue }
            // Not queued, not running, and no history: the server no longer knows it.
            if record.accepted, record.status == .ended || (!record.status.isTerminal && !snapshot.lists(lookup.promptID)) {
                serverForgot(lookup.promptID, kind: .resync, &ctx)
            } else if !record.accepted, record.owner == .ours,
                record.status == .queued, record.body != nil, !snapshot.lists(lookup.promptID),
                !connection.outbox.contains(where: { if case .postPrompt(lookup.promptID, _) = $0.command { true } else { false } })
            {
                // Sent here (a job store says so after a restart) but never received: back to
                // our queue, to be sent again under the same id.
                var requeued = record
                requeued.status = .waiting
                requeued.server = nil
                queue.setRecord(record.id, requeued)
                log.append(.info, .resync, "prompt \(record.id.short) never reached \(name): it waits in our queue again", at: at)
            }
        }
        // The snapshot may have ended prompts we did not look up: ask for those only.
        for command in local.commands {
            if case .fetchHistory(let id) = command, looked.contains(id) { continue }
            ctx.emit(command)
        }
        let finished = queue.records.values.filter { record in
            record.status.isTerminal && before[record.id].map { !$0.status.isTerminal } == true
        }
        log.append(
            .info, .resync,
            "resynced: \(snapshot.running.count) running, \(snapshot.pending.count) pending; \(finished.count) prompt(s) finished while away",
            at: at)
        flushOutbox(snapshot: snapshot, history: history, &ctx)
        // An idle server told us no queue number: one history entry tells how far they have
        // gone, so a prompt of someone else's that comes and goes between two looks at the
        // queue can be told from the ones before we came.
        if server.highestNumber == nil { ctx.emit(.fetchRecentHistory(maxItems: 1, newerThan: nil)) }
    }

    /// Sends what waited, in order; drops (and says so) what waited too long, and skips a
    /// submission the server already holds (its first POST got through after all).
    mutating func flushOutbox(snapshot: QueueSnapshot, history: [ResyncedHistory], _ ctx: inout ReduceContext) {
        let at = ctx.at
        let waiting = connection.outbox
        connection.outbox = []
        for entry in waiting {
            if at - entry.at > connection.outboxTTL {
                log.append(.warning, .outbox, "\(entry.command.summary) waited \(JSONWriter.number((at - entry.at).rounded())) s offline: dropped", at: at)
                if case .postPrompt(let id, _) = entry.command, let record = queue.records[id], !record.accepted {
                    queue.setRecord(id, nil)
                    queue.rejected.append(
                        .init(at: at, promptID: id, status: 0, type: "expired_offline",
                              message: "not submitted: the connection was down longer than \(Int(connection.outboxTTL)) s",
                              details: "", nodeErrors: [], extraInfo: .null))
                }
                continue
            }
            if case .postPrompt(let id, _) = entry.command,
                snapshot.lists(id) || history.contains(where: { $0.promptID == id && !$0.entries.isEmpty })
            {
                log.append(.info, .outbox, "prompt \(id.short) is already on the server: not submitted again", at: at)
                continue
            }
            ctx.emit(entry.command)
        }
    }

    /// A submission got no answer: keep it for after the next resync.
    mutating func submissionFailed(_ id: String, body: JSONValue, message: String, at: Timestamp) {
        log.append(.warning, .prompt, "prompt \(id.short) got no answer (\(message)); will retry after reconnecting", at: at)
        enqueue(.postPrompt(promptID: id, body: body), at: at)
    }
}

extension QueueSnapshot {
    /// Whether the server holds `id`, running or pending.
    public func lists(_ id: String) -> Bool {
        running.contains { $0.promptID == id } || pending.contains { $0.promptID == id }
    }
}
