/// A prompt the server no longer knows: neither its queue nor its history lists it (it
/// restarted and forgot them). It must never stay `queued` or `running` here.
extension ServerScope {
    mutating func serverForgot(_ id: String, kind: LogKind, _ ctx: inout ReduceContext) {
        let at = ctx.at
        if nodes.promptID == id { nodes.settleRunning(as: .interrupted) }
        let record = queue.records[id]
        // A prompt forgotten before it started cannot have brought the server down: it is
        // always sent again. One that had started may have: that is limited.
        let started = record?.startedAt != nil
        if let record, record.owner == .ours, queue.resubmitLimit > 0, let body = record.resubmitBody,
            !started || record.forgottenWhileRunning < queue.resubmitLimit
        {
            // Proven unknown (empty history and a snapshot without it), so the same id
            // cannot run twice: the forgotten run is gone, this one replaces it.
            updatePrompt(id, creating: .queued, owner: .ours) {
                $0.status = .queued
                $0.accepted = false
                $0.number = nil
                $0.startedAt = nil
                $0.finishedAt = nil
                $0.missingFromHistory = false
                $0.cached = []
                $0.outputs = []
                $0.resubmitted += 1
                if started { $0.forgottenWhileRunning += 1 }
            }
            let limit = started ? " (\(record.forgottenWhileRunning + 1) of at most \(queue.resubmitLimit) after it had started)" : ""
            log.append(.warning, kind, "prompt \(id.short) is unknown to the server (restarted?): submitting it again under the same id\(limit)", at: at)
            let command = Command.postPrompt(promptID: id, body: body)
            if connection.isOnline { ctx.emit(command) } else { enqueue(command, at: at) }
            return
        }
        updatePrompt(id, creating: .lost, owner: .observed) {
            $0.move(to: .lost, at: at)
            $0.resubmitBody = nil
        }
        log.append(.warning, kind, "prompt \(id.short) is unknown to the server: lost", at: at)
    }
}
