/// The server's text messages: queue length, negotiation, and a prompt's life from
/// `execution_start` to its end.
extension ServerScope {
    mutating func apply(_ message: ServerMessage, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch message {
        case .status(let status):
            if let sid = status.sid {
                connection.sessionID = sid
                if connection.clientID == nil { connection.clientID = sid }
            }
            if let remaining = status.queueRemaining { queueLength(remaining, &ctx) }

        case .featureFlags(let flags):
            connection.serverFeatures = flags
            connection.previewMetadata = bothSay("supports_preview_metadata", server: flags)
            connection.progressTextMetadata = bothSay("supports_progress_text_metadata", server: flags)
            log.append(.info, .featureFlags, "server flags received (previews with metadata: \(connection.previewMetadata ? "on" : "off"))", at: at)

        case .executionStart(let id, _):
            guard !leftAlready(id) else { return }
            endOthersRunning(except: id, &ctx)
            updatePrompt(id, creating: .running, owner: .ours) {
                $0.provenOurs()
                $0.move(to: .running, at: at)
                $0.startedAt = at
            }
            activate(id, at: at, sawStart: true)
            log.append(.info, .executionStart, "prompt \(id.short) started", at: at)

        case .executionCached(let id, let cachedNodes, _):
            guard !leftAlready(id) else { return }
            updatePrompt(id, creating: .running, owner: .ours) {
                $0.provenOurs()
                $0.move(to: .running, at: at)
                $0.cached = cachedNodes
            }
            if nodes.promptID != id { activate(id, at: at) }
            nodes.cached = cachedNodes
            nodes.executed.removeAll(where: cachedNodes.contains)
            progress.updatePlan { if $0.promptID == id { $0.cache(cachedNodes) } }
            recomputeFraction(at: at)
            if !cachedNodes.isEmpty {
                log.append(.info, .executionCached, "prompt \(id.short): \(cachedNodes.count) node(s) from cache", at: at)
            }

        case .executing(let e):
            executing(e, &ctx)

        case .progress(let p):
            progressTick(p, at: at)

        case .progressState(let snapshot):
            progressSnapshot(snapshot, at: at)

        case .executed(let e):
            let late = leftAlready(e.promptID)
            updatePrompt(e.promptID, creating: .running, owner: .ours) {
                $0.provenOurs()
                if !late { $0.move(to: .running, at: at) }
                if !e.output.isNull { $0.setOutput(node: e.node, e.output) }
            }
            if nodes.promptID == e.promptID { nodes.markExecuted(e.node) }
            log.append(.info, .executed, "prompt \(e.promptID.short): node \(e.node) output \(describe(e.output))", at: at)

        case .executionSuccess(let id, _):
            updatePrompt(id, creating: .succeeded, owner: .ours) {
                $0.provenOurs()
                $0.move(to: .succeeded, at: at)
            }
            if nodes.promptID == id { nodes.settleRunning(as: .finished) }
            if progress.promptID == id {
                progress.fraction = 1
                progress.etaSeconds = 0
                progress.etaBasis = nil
                progress.updatedAt = at
                learnFromRun(at: at)
            }
            log.append(.info, .executionSuccess, "prompt \(id.short) succeeded", at: at)

        case .executionError(let failure):
            guard !failure.isExecutionBlocked else {
                // Non-fatal: the prompt goes on (protocol 2.9b).
                log.append(.warning, .executionBlocked, "prompt \(failure.promptID.short): \(failure.exceptionMessage ?? "execution blocked")", at: at)
                return
            }
            fail(failure, as: .failed, at: at)
            let node = "node \(failure.nodeID ?? "?") (\(failure.nodeType ?? "?"))"
            let what = [failure.exceptionType, failure.exceptionMessage?.trimmingTrailingNewlines].compactMap { $0 }.joined(separator: ": ")
            log.append(.error, .executionError, "prompt \(failure.promptID.short) failed at \(node): \(what)", at: at)

        case .executionInterrupted(let failure):
            fail(failure, as: .interrupted, at: at)
            log.append(.warning, .executionInterrupted, "prompt \(failure.promptID.short) interrupted at node \(failure.nodeID ?? "?") (\(failure.nodeType ?? "?"))", at: at)

        case .logs(let logs):
            for line in logs.entries {
                log.append(.info, .serverLog, line.message.trimmingTrailingNewlines, at: at)
            }
        }
    }

    private func bothSay(_ flag: String, server: JSONValue) -> Bool {
        connection.clientFeatures?[flag]?.boolValue == true && server[flag]?.boolValue == true
    }

    /// `queue_remaining` (from `status` or `GET /prompt`) counts pending and running
    /// prompts of all clients. Zero says nothing runs or waits — but only as of when the
    /// frame was sent: it can be older than an HTTP answer we already applied (the
    /// connect-time `status`, or frames held during a resync, can predate a POST or a
    /// snapshot). So a zero while we still track prompts asks for `GET /queue`, whose
    /// answer is the server's truth after everything we sent; the snapshot ends them.
    ///
    /// The same holds for any count below the prompts we still think are waiting or
    /// running: some have left the queue without our hearing of it (frames dropped by a
    /// stalled server or a proxy), so the queue is asked and history tells how they ended.
    ///
    /// A count above what we know means other clients' prompts wait or run: the queue is
    /// asked, so every prompt that passes through the server is followed to its end (the
    /// server sends their events only to their owners).
    ///
    /// A zero leaves nothing running here: a running prompt (ours or not) has `ended` and
    /// history is asked — frames on one socket arrive in order, so a zero after a prompt's
    /// start is no older than that start. An observed prompt we thought waiting has ended
    /// too (nobody will tell us). Only a prompt of ours that waits may have been accepted
    /// by an HTTP answer newer than the frame: for it the queue is asked.
    mutating func queueLength(_ remaining: Int, _ ctx: inout ReduceContext) {
        server.remaining = remaining
        // What we know is there: prompts queued or running on it, ours sent but not yet
        // answered included (a count that comes before the answer to our own POST is not
        // someone else's prompt).
        // (From the per-server count: listing the records copied each, on every `status`.)
        let name = name
        let known = inQueue { $0.heldOn(name) }
        if remaining > known { server.unidentified = max(server.unidentified, remaining - known) }
        guard remaining == 0 else {
            // The same count again is what the server sends when its worker takes the next
            // prompt: if that is someone else's, only the queue can say which one runs now.
            if remaining != known || inQueue({ $0.observedWaitNothingRuns(on: name) }) { ctx.emit(.fetchQueue) }
            return
        }
        var asked = false
        // Sorted: the reducer must not depend on a set's order (replays are compared).
        // Only those queued or running can match below (none, mostly: then nothing is read).
        for id in inQueue({ $0.heldIDs(on: name) }) {
            guard let record = queue.records[id], record.accepted, record.status == .queued || record.status == .running else { continue }
            if record.status == .queued, record.owner == .ours {
                asked = true
            } else {
                markEnded(id, &ctx)
            }
        }
        if asked { ctx.emit(.fetchQueue) }
    }

    /// A frame about a prompt that a queue snapshot already showed gone. ComfyUI's socket
    /// lags behind its HTTP answers (frames wait in the server's send queue while `GET
    /// /queue` answers at once), so frames of a prompt that has finished can arrive after a
    /// snapshot that lists the next one running: such a frame must neither bring it back
    /// to running nor end the one that really runs. Its outcome frame still counts.
    /// (Ended by frames, on one socket in order, no later frame of it can come.)
    mutating func leftAlready(_ id: String) -> Bool {
        queue.brief(id)?.status == .ended
    }

    /// The prompt left the server's queue and we do not know how: say so, and ask history.
    mutating func markEnded(_ id: String, _ ctx: inout ReduceContext) {
        let at = ctx.at
        updatePrompt(id, creating: .ended, owner: .observed) { $0.move(to: .ended, at: at) }
        if nodes.promptID == id { nodes.settleRunning(as: .unknown) }
        if progress.promptID == id {
            progress.etaSeconds = nil
            progress.etaBasis = nil
            progress.plan = nil
        }
        ctx.emit(.fetchHistory(promptID: id))
        log.append(.info, .ended, "prompt \(id.short) left the queue; asking history how it ended", at: at)
    }

    /// The server runs one prompt at a time, lowest number first: when `id` starts, any
    /// other we thought running has ended, and so has any we thought waiting with a lower
    /// number (we missed its run: dropped frames). If that was wrong (a `front` prompt
    /// queued just after `id` was taken), history has nothing and the next queue snapshot
    /// lists it again.
    mutating func endOthersRunning(except id: String, _ ctx: inout ReduceContext) {
        // Nearly always nothing running to end: find that out without sorting a list of ids.
        let name = name
        if inQueue({ $0.hasRunning(otherThan: id, on: name) }) {
            for other in queue.runningIDs(on: name) where other != id { markEnded(other, &ctx) }
        }
        // The number from the brief (no copy of the record), and the sorted pending list
        // only when something may be queued here: this runs on every `executing` frame.
        guard let number = queue.brief(id)?.number, inQueue({ $0.mayHaveQueued(on: name) }) else { return }
        for other in queue.pendingIDs(on: name) where other != id {
            if let earlier = queue.records[other]?.number, earlier < number { markEnded(other, &ctx) }
        }
    }

    mutating func executing(_ e: ServerMessage.Executing, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch (e.node, e.promptID) {
        case (nil, let id?):
            // The last message of every prompt, whatever the outcome.
            if let status = queue.brief(id)?.status, !status.isTerminal, status != .ended {
                markEnded(id, &ctx)
            }
            if nodes.promptID == id {
                nodes.executing = nil
                nodes.executingDisplay = nil
            }
            if queue.brief(id)?.owner == .ours { ctx.emit(.fetchHistory(promptID: id)) }
        case (let node?, let id?):
            guard !leftAlready(id) else { return }
            endOthersRunning(except: id, &ctx)
            // Every node of a prompt after its first finds the record already ours,
            // accepted and running: nothing to write.
            if let r = queue.brief(id), r.owner == .ours, r.accepted, r.status == .running {
            } else {
                updatePrompt(id, creating: .running, owner: .ours) {
                    $0.provenOurs()
                    $0.move(to: .running, at: at)
                }
            }
            if nodes.promptID != id { activate(id, at: at) }
            startNode(node, display: e.displayNode, at: at)
        case (let node?, nil):
            // Reconnect replay: a display id, no prompt id. It is sent only to the owner
            // of the running prompt, so it names a node of our running prompt.
            guard let id = nodes.promptID.flatMap({ queue.records[$0]?.status == .running ? $0 : nil })
                ?? queue.runningIDs(on: name).first(where: { queue.records[$0]?.owner == .ours })
            else {
                log.append(.warning, .executing, "server says node \(node) is executing, but we know no running prompt of ours", at: at)
                return
            }
            if nodes.promptID != id { activate(id, at: at) }
            startNode(node, display: node, at: at)
            log.append(.info, .executing, "reattached: prompt \(id.short) is at node \(node)", at: at)
        case (nil, nil):
            break
        }
    }

    mutating func startNode(_ node: String, display: String?, at: Timestamp) {
        nodes.executing = node
        nodes.executingDisplay = display ?? node
        if var existing = nodes.table[node] {
            if existing.state != .running {
                existing.state = .running  // lazy inputs: a node can be scheduled again
                nodes.set(node, existing)
            }
        } else {
            nodes.set(node, NodesState.Node(state: .running, displayNodeID: display ?? node))
        }
        if progress.node != node {
            progress.node = node
            progress.value = 0
            progress.max = 0
            progress.stepsPerSecond = nil
            progress.rateAnchor = nil
        }
        progress.updatedAt = at
        if let box = progress.planBox, box.plan.promptID == nodes.promptID {
            let book = estimates
            progress.updatePlan { $0.start(node, at: at, book: book) }
            recomputeFraction(at: at)
        }
    }

    /// `id` is now the prompt the server runs: fresh node table and progress.
    /// `sawStart`: called for the prompt's `execution_start`, so that its run is timed from
    /// its start and can be learned from (see `PromptPlan`).
    mutating func activate(_ id: String, at: Timestamp, sawStart: Bool = false) {
        nodes.reset(for: id)
        let record = queue.records[id]
        nodes.cached = record?.cached ?? []
        progress = ProgressState()
        progress.promptID = id
        progress.startedAt = record?.startedAt ?? at
        progress.updatedAt = at
        // The graph is known for our own jobs (the body we send); another client's prompt
        // has none, and its ETA stays a lower bound.
        progress.plan = PromptPlan(
            promptID: id, server: name, shape: record?.body.flatMap(WorkflowShape.init(prompt:)), cached: nodes.cached,
            startedAt: progress.startedAt!, sawStart: sawStart, book: estimates)
    }

    /// The running prompt succeeded: its nodes' times and its whole run are learned, if it
    /// was followed from its start (a run joined midway, after a reconnect, is not timed
    /// completely).
    mutating func learnFromRun(at: Timestamp) {
        guard var plan = progress.plan else { return }
        plan.finishCurrent(at: at)
        progress.plan = nil
        guard plan.sawStart, let shape = plan.shape else { return }
        estimates.learn(server: name, shape: shape, timings: plan.timings, cached: plan.cached, total: at - plan.startedAt)
    }

    /// A fatal error or an interrupt: the prompt ends with `status`. The server never
    /// marks the node (its snapshots keep it `running`), so the reducer does.
    mutating func fail(_ failure: ServerMessage.ExecutionFailure, as status: PromptRecord.Status, at: Timestamp) {
        let id = failure.promptID
        // execution_interrupted is broadcast for unowned prompts: it proves nothing about ownership.
        updatePrompt(id, creating: status, owner: status == .failed ? .ours : .observed) {
            if status == .failed { $0.provenOurs() }
            $0.accepted = true
            $0.move(to: status, at: at)
            if status == .failed { $0.error = .init(failure) } else { $0.interrupted = .init(failure) }
        }
        if nodes.promptID == id {
            markNode(failure.nodeID, as: status == .failed ? .failed : .interrupted)
            nodes.settleRunning(as: .interrupted)
        }
        if progress.promptID == id {
            progress.etaSeconds = nil
            progress.etaBasis = nil
            progress.plan = nil
            progress.updatedAt = at
        }
    }

    /// Marks the running node(s) whose id or real id is `nodeID` (errors carry the real id).
    mutating func markNode(_ nodeID: String?, as phase: NodesState.Phase) {
        guard let nodeID else { return }
        var found = false
        for (key, node) in nodes.table where node.state == .running && (key == nodeID || node.realNodeID == nodeID) {
            nodes.rewrite { $0[key]!.state = phase }
            found = true
        }
        if !found, nodes.table[nodeID] == nil || nodes.table[nodeID]!.state == .unknown {
            nodes.rewrite { $0[nodeID] = NodesState.Node(state: phase, realNodeID: nodeID) }
        }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" { s = s.dropLast() }
        return String(s)
    }
}

/// "2 images", "text", "nothing": a one-line summary of an `executed` output for the log.
func describe(_ output: JSONValue) -> String {
    guard let fields = output.objectValue, !fields.isEmpty else { return "nothing" }
    return fields.map { field in
        if let items = field.value.arrayValue { return "\(items.count) \(field.key)" }
        return field.key
    }.joined(separator: ", ")
}
