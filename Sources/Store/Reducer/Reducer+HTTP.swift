/// HTTP answers: submissions, the queue, history, and the server's own facts.
extension ServerScope {
    mutating func apply(_ result: HTTPResult, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch result {
        case .promptAccepted(let a):
            let owner: PromptRecord.Owner = a.graph?.clientID.map { self.owner(ofClientID: $0) } ?? .ours
            updatePrompt(a.promptID, creating: .queued, owner: owner) {
                $0.learn(owner: owner, number: a.number, clientID: a.graph?.clientID, nodeCount: a.graph?.nodes.count)
                $0.warnings = a.nodeErrors
                if $0.submittedAt == nil { $0.submittedAt = at }
            }
            recomputeFraction(at: at)
            let number = a.number.map { " as #\(JSONWriter.number($0))" } ?? ""
            if a.nodeErrors.isEmpty {
                log.append(.info, .prompt, "prompt \(a.promptID.short) accepted\(number)", at: at)
            } else {
                log.append(
                    .warning, .prompt,
                    "prompt \(a.promptID.short) accepted\(number) with warnings; dropped: \(a.nodeErrors.map(\.summary).joined(separator: "; "))",
                    at: at)
            }

        case .promptRejected(let r):
            if let id = r.promptID, excludeForJob(id, r, at: at) { return }
            queue.rejected.append(
                .init(
                    at: at, promptID: r.promptID, status: r.status, type: r.type, message: r.message,
                    details: r.details, nodeErrors: r.nodeErrors, extraInfo: r.extraInfo))
            if queue.rejected.count > QueueState.rejectedCapacity { queue.rejected.removeFirst() }
            if let id = r.promptID, let record = queue.records[id], !record.accepted {
                queue.setRecord(id, nil)  // it never existed on the server
            }
            let nodes = r.nodeErrors.isEmpty ? "" : " — " + r.nodeErrors.map(\.summary).joined(separator: "; ")
            log.append(.error, .promptRejected, "prompt rejected (\(r.status) \(r.type)): \(r.message)\(nodes)", at: at)

        case .queueSnapshot(let snapshot):
            applyQueueSnapshot(snapshot, &ctx)

        case .history(let requested, let entries):
            if entries.isEmpty, let id = requested {
                if queue.records[id]?.status == .ended {
                    // No history: either the server forgot it (a restart) or our "ended"
                    // came from a frame older than it looked. A fresh snapshot decides.
                    updatePrompt(id, creating: .ended, owner: .observed) { $0.missingFromHistory = true }
                    ctx.emit(.fetchQueue)
                    log.append(.info, .history, "no history for \(id.short); checking the queue", at: at)
                } else {
                    log.append(.info, .history, "no history for \(id.short) (pending, running, or unknown)", at: at)
                }
            }
            for entry in entries { reconcile(entry, at: at) }

        case .recentHistory(let newer, let entries):
            if entries.isEmpty, newer == nil, server.highestNumber == nil { server.historyWasEmpty = true }
            for entry in entries {
                if let n = entry.number { server.noteNumber(n) }
                let known = queue.records[entry.promptID] != nil
                if known || (newer != nil && (entry.number ?? -.infinity) > newer!) { reconcile(entry, at: at) }
            }

        case .queueDeleted(let ids):
            for id in ids {
                guard queue.records[id]?.status == .queued else { continue }
                updatePrompt(id, creating: .cancelled, owner: .observed) { $0.move(to: .cancelled, at: at) }
            }
            log.append(.info, .queue, "deleted from queue: \(ids.map(\.short).joined(separator: ", "))", at: at)

        case .queueCleared:
            let cleared = queue.pendingIDs(on: name)
            for id in cleared {
                updatePrompt(id, creating: .cancelled, owner: .observed) { $0.move(to: .cancelled, at: at) }
            }
            log.append(.info, .queue, "queue cleared (\(cleared.count) pending cancelled)", at: at)

        case .interruptAcknowledged(let id):
            log.append(.info, .interrupt, "interrupt sent\(id.map { " for \($0.short)" } ?? "")", at: at)

        case .queueRemaining(let n):
            queueLength(n, &ctx)

        case .resynced(let snapshot, let history):
            applyResync(queue: snapshot, history: history, &ctx)

        case .submitFailed(let id, let body, let message):
            submissionFailed(id, body: body, message: message, at: at)

        case .features(let flags):
            if connection.serverFeatures == nil { connection.serverFeatures = flags }

        case .systemStats(let info):
            connection.server = info

        case .capabilities(let capabilities):
            if server.capabilities != (capabilities ?? .unknown) { queue.recheckWaiting = true }
            server.capabilities = capabilities ?? .unknown
            let known = capabilities.map { "\($0.classes.count) node classes" } ?? "its catalogue could not be read: trusted to run anything"
            log.append(.info, .fleet, "server \(name): \(known)", at: at)

        case .other(let method, let path, let status):
            log.append(.info, .http, "\(method) \(path) → \(status)", at: at)

        case .failed(let method, let path, let status, let message):
            log.append(.error, .http, "\(method) \(path) → \(status.map(String.init) ?? "no answer"): \(message)", at: at)
        }
    }

    /// `GET /queue` is the server's truth at that moment: what it lists is queued or
    /// running; what we thought queued or running and it does not list has ended.
    ///
    /// The server may have counted prompts we never identified (`status` above what we
    /// knew) that ran and ended before this look: then its recent history says which, from
    /// the numbers above what we had seen.
    mutating func applyQueueSnapshot(_ s: QueueSnapshot, _ ctx: inout ReduceContext) {
        let at = ctx.at
        let watermark = server.watermark
        defer { askForMissed(snapshot: s, watermark: watermark, &ctx) }
        var listed = Set<String>()
        for (items, status) in [(s.running, PromptRecord.Status.running), (s.pending, .queued)] {
            for item in items {
                listed.insert(item.promptID)
                let owner = owner(ofClientID: item.clientID)
                updatePrompt(item.promptID, creating: status, owner: owner) {
                    $0.learn(owner: owner, number: item.number, clientID: item.clientID, nodeCount: item.nodeCount)
                    if $0.status == .ended { $0.status = status }  // it had not ended after all
                    $0.missingFromHistory = false
                    $0.move(to: status, at: at)
                }
            }
        }
        for id in queue.unfinishedIDs(on: name) where !listed.contains(id) {
            let record = queue.records[id]!
            if record.status == .ended, record.missingFromHistory {
                // Not queued, not running, and history had nothing: the server forgot it.
                serverForgot(id, kind: .queue, &ctx)
            } else if record.accepted, record.status == .queued || record.status == .running {
                markEnded(id, &ctx)
            }
        }
        server.remaining = s.running.count + s.pending.count
    }

    /// The server counted prompts we could not name since the last look at its queue:
    /// some may have come and gone in between (a broadcast can name one, but not which
    /// others there were), so its recent history is asked, and the entries numbered above
    /// what we had seen are recorded.
    mutating func askForMissed(snapshot s: QueueSnapshot, watermark: Double?, _ ctx: inout ReduceContext) {
        guard server.unidentified > 0 else { return }
        ctx.emit(.fetchRecentHistory(maxItems: min(64, s.running.count + s.pending.count + server.unidentified + 4), newerThan: watermark))
        server.unidentified = 0
    }

    /// A history entry is the durable truth about a prompt that ran: its outcome and
    /// outputs replace what the events told us.
    mutating func reconcile(_ e: HistoryEntry, at: Timestamp) {
        guard let outcome = e.outcome else { return reconcileWithoutOutcome(e, at: at) }
        let status: PromptRecord.Status =
            switch outcome {
            case .success: .succeeded
            case .error: .failed
            case .interrupted: .interrupted
            }
        let owner = owner(ofClientID: e.clientID)
        let before = queue.records[e.promptID]
        updatePrompt(e.promptID, creating: status, owner: owner) {
            $0.learn(owner: owner, number: e.number, clientID: e.clientID, nodeCount: e.nodeCount)
            $0.status = status
            if $0.finishedAt == nil { $0.finishedAt = at }
            if !e.cachedNodes.isEmpty || $0.cached.isEmpty { $0.cached = e.cachedNodes }
            if let outputs = e.outputs { $0.outputs = outputs }
            if let failure = e.failure {
                if status == .failed { $0.error = .init(failure) } else if status == .interrupted { $0.interrupted = .init(failure) }
            }
            $0.fromHistory = true
        }
        if nodes.promptID == e.promptID {
            switch status {
            case .succeeded: nodes.settleRunning(as: .finished)
            default:
                markNode(e.failure?.nodeID, as: status == .failed ? .failed : .interrupted)
                nodes.settleRunning(as: .interrupted)
            }
        }
        if before?.status != status {
            let was = before.map { " (was \($0.status.rawValue))" } ?? ""
            log.append(.info, .history, "prompt \(e.promptID.short): \(status.rawValue) per history\(was)", at: at)
        }
    }

    /// An entry that does not say how the prompt ended (no `status`): the server still has
    /// the prompt, so it is not lost, and what the entry holds is kept. A prompt whose end we
    /// did not know stays `ended`, now confirmed by history: nothing more will tell.
    mutating func reconcileWithoutOutcome(_ e: HistoryEntry, at: Timestamp) {
        let owner = owner(ofClientID: e.clientID)
        updatePrompt(e.promptID, creating: .ended, owner: owner) {
            $0.learn(owner: owner, number: e.number, clientID: e.clientID, nodeCount: e.nodeCount)
            $0.move(to: .ended, at: at)
            if let outputs = e.outputs { $0.outputs = outputs }
            $0.fromHistory = true
            $0.missingFromHistory = false
        }
        if nodes.promptID == e.promptID, queue.records[e.promptID]?.status == .ended { nodes.settleRunning(as: .unknown) }
        log.append(.warning, .history, "prompt \(e.promptID.short): history has it but does not say how it ended (no status)", at: at)
    }
}

extension NodeError {
    /// `node 2 (TestProgressLoop): required_input_missing image` — one line per node.
    public var summary: String {
        let problems = errors.map { [$0.type, $0.inputName].compactMap { $0 }.joined(separator: " ") }
        return "node \(nodeID) (\(classType ?? "?")): \(problems.joined(separator: ", "))"
    }
}

extension PromptRecord {
    /// What the server says about a prompt (its POST answer, a queue listing, a history
    /// entry): it has the prompt, under this number, for this client id, with this many
    /// nodes. Unknown facts leave what we knew; the server saying it is ours makes it ours
    /// (it never makes one of ours someone else's).
    mutating func learn(owner: Owner, number: Double?, clientID: String?, nodeCount: Int?) {
        accepted = true
        if owner == .ours { self.owner = .ours }
        self.number = number ?? self.number
        self.clientID = clientID ?? self.clientID
        self.nodeCount = nodeCount ?? self.nodeCount
    }
}

extension ServerScope {
    /// A refusal that is this server's fault — it lacks a node class (`missing_node_type`)
    /// or a listed value such as a model file (`value_not_in_list` everywhere) — excludes
    /// this server for that job, which goes back to our queue for another; a workflow that
    /// is wrong everywhere is refused as before. (In a fleet of one there is no other
    /// server: the refusal stands.) True when the job was requeued.
    mutating func excludeForJob(_ id: String, _ r: PromptRejected, at: Timestamp) -> Bool {
        guard fleetSize > 1, var record = queue.records[id], record.owner == .ours, record.server == name, !record.accepted,
            record.resubmitBody != nil, r.isServersFault
        else { return false }
        record.excluded.append(name)
        record.refusals.append("\(name): refused it (\(r.type): \(r.message))")
        record.status = .waiting
        record.server = nil
        queue.setRecord(id, record)
        queue.unplaced.insert(id)
        log.append(.warning, .fleet, "prompt \(id.short) refused by \(name) (\(r.type)): it goes to another server", at: at)
        return true
    }
}

extension PromptRejected {
    /// The server lacks something the workflow needs, rather than the workflow being wrong.
    /// A workflow in the editor's format that cannot be converted with a server's catalogue
    /// (`conversion_failed`: values saved by another version of a node) may convert on
    /// another server.
    public var isServersFault: Bool {
        if type == "missing_node_type" || type == "conversion_failed" { return true }
        let problems = nodeErrors.flatMap(\.errors)
        return !problems.isEmpty && problems.allSatisfy { $0.type == "value_not_in_list" }
    }
}
