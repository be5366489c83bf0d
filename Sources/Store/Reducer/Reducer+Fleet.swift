/// The fleet: servers joining and leaving, jobs restored after a restart, a server lost,
/// and reports from a server about a job that has moved on since.
extension AppState {
    mutating func apply(_ event: FleetEvent, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch event {
        case .serverAdded(let name):
            guard index(of: name) == nil else { return }
            servers.append(ServerState(name: name))
            log.append(.info, .fleet, "server \(name) joined the fleet", at: at)
        case .serverRemoved(let name):
            guard let index = index(of: name) else { return }
            withScope(index) { $0.release(because: "it left the fleet", &ctx) }
            servers.remove(at: index)
            queue.remaining = totalRemaining
            log.append(.info, .fleet, "server \(name) left the fleet", at: at)
        case .policy(let maxWaiting, let rerunLimit):
            queue.maxWaitingPerServer = max(0, maxWaiting)
            queue.resubmitLimit = max(0, rerunLimit)
        case .restored(let records):
            var restored = 0
            for var record in records where queue.records[record.id] == nil {
                queue.nextSeen += 1
                record.seen = queue.nextSeen
                if record.workflowKey == nil { record.workflowKey = record.body.flatMap(WorkflowShape.init(prompt:))?.key }
                queue.setRecord(record.id, record)
                if record.status == .waiting { queue.unplaced.insert(record.id) }
                restored += 1
            }
            if restored > 0 { log.append(.info, .fleet, "\(restored) unfinished job(s) restored from the job store", at: at) }
        case .durationsLoaded(let entries):
            estimates.load(entries)
        }
    }
}

extension ServerScope {
    /// This server is lost (offline past the grace period, its breaker open) or leaves:
    /// our jobs that wait on it go back to our queue, under the same prompt id, for another
    /// server; the one it runs (or that ended there, its outcome not yet known) too, if it may be run again (`QueueState.resubmitLimit`
    /// times after it had started: it may be what brought the server down), else it is
    /// lost. Should the server come back, what it says of them is still believed (see
    /// `adopt`): a job never completes twice where we can know it.
    mutating func release(because reason: String, _ ctx: inout ReduceContext) {
        let at = ctx.at
        server.status = .lost
        var requeued = 0
        var lost = 0
        for record in queue.unfinishedRecords(on: name).sorted(by: { $0.seen < $1.seen }) where record.owner == .ours {
            // `ended`: it left the server's queue and we were asking its history, which a
            // lost server will not give: run it again like one running (if it had started)
            // or waiting there; should the server come back, its history still stands.
            guard record.status == .queued || record.status == .running || record.status == .ended, record.resubmitBody != nil else { continue }
            var next = record
            if record.status == .running || (record.status == .ended && record.startedAt != nil) {
                guard record.forgottenWhileRunning < queue.resubmitLimit else {
                    next.move(to: .lost, at: at)
                    queue.setRecord(record.id, next)
                    lost += 1
                    continue
                }
                next.forgottenWhileRunning += 1
            }
            next.status = .waiting
            next.server = nil
            next.accepted = false
            next.number = nil
            next.startedAt = nil
            next.cached = []
            next.outputs = []
            next.resubmitted += 1
            queue.setRecord(record.id, next)
            requeued += 1
        }
        // Submissions waiting for this server's connection are in our queue now.
        connection.outbox.removeAll { if case .postPrompt = $0.command { true } else { false } }
        if nodes.promptID.map({ queue.records[$0]?.server != name }) == true { nodes.settleRunning(as: .unknown) }
        log.append(
            .warning, .fleet,
            "server \(name) is lost (\(reason)): \(requeued) job(s) back in our queue\(lost > 0 ? ", \(lost) lost (rerun limit)" : "")", at: at)
    }

    /// A report from this server about a job of ours that is elsewhere now (back in our
    /// queue, or sent to another server since this one was lost), as the reducer would
    /// record it (`candidate`). This server's run stands if it has run or runs the job and
    /// no other run has finished: the job moves back here and its other copy is cancelled.
    /// A copy that only waits here while the job is elsewhere, or one whose job finished
    /// already, is removed from this server.
    mutating func adopt(_ candidate: PromptRecord, before: PromptRecord) {
        let id = candidate.id
        let at = candidate.finishedAt ?? candidate.startedAt ?? candidate.submittedAt ?? .zero
        let here = candidate.status
        let finished = before.status.isTerminal && before.status != .lost
        let elsewhere = before.server != nil && (before.status == .queued || before.status == .running)
        switch here {
        case .queued where finished || elsewhere, .running where finished:
            deferred.append((here == .queued ? .deleteFromQueue([id]) : .interrupt(promptID: id), nil))
            log.append(.info, .fleet, "prompt \(id.short) also \(here == .queued ? "waits" : "runs") on \(name): that copy is cancelled", at: at)
        case .succeeded, .failed, .interrupted, .running, .queued:
            guard !finished else { return }
            if elsewhere, let other = before.server {
                deferred.append((before.status == .queued ? .deleteFromQueue([id]) : .interrupt(promptID: id), other))
                log.append(.info, .fleet, "prompt \(id.short) \(here == .running || here == .queued ? "is" : "was") on \(name) after all: its copy on \(other) is cancelled", at: at)
            }
            var adopted = candidate
            adopted.server = name
            queue.setRecord(id, adopted)
        default:
            break  // ended, lost, cancelled here: not about the run that counts
        }
    }
}
