/// Progress: `progress` ticks, `progress_state` snapshots, previews and progress text.
extension AppState {
    /// A prompt we had not heard of shows up in a broadcast: track it as observed. A
    /// prompt that already ended ignores late ticks. Returns false to ignore the message.
    mutating func observe(_ id: String, at: Timestamp) -> Bool {
        if let record = queue.prompts[id], record.status.isTerminal { return false }
        updatePrompt(id, creating: .running, owner: .observed) {
            $0.accepted = true
            $0.move(to: .running, at: at)
        }
        if nodes.promptID != id { activate(id, at: at) }
        return true
    }

    mutating func progressTick(_ p: ServerMessage.Progress, at: Timestamp) {
        // `prompt_id` can be null in principle: the running prompt is the best guess.
        guard let id = p.promptID ?? nodes.promptID, observe(id, at: at) else { return }
        if let node = p.node, var n = nodes.byID[node], n.value != p.value || n.max != p.max {
            n.value = p.value
            n.max = p.max
            nodes.byID[node] = n
        }
        step(node: p.node ?? progress.node, value: p.value, max: p.max, at: at)
        recomputeFraction(at: at)
    }

    mutating func progressSnapshot(_ s: ServerMessage.ProgressSnapshot, at: Timestamp) {
        guard observe(s.promptID, at: at) else { return }
        // A full snapshot: replace, do not merge (protocol 2.7). `error` is never sent in
        // practice, but honour it if a server does.
        var table: [String: NodesState.Node] = [:]
        table.reserveCapacity(s.nodes.count)
        var running: [ServerMessage.NodeProgress] = []
        for n in s.nodes {
            let phase: NodesState.Phase
            switch n.state {
            case "finished": phase = .finished
            case "error": phase = .failed
            case "pending": continue
            default: phase = .running
            }
            if phase == .running { running.append(n) }
            table[n.nodeID] = NodesState.Node(
                state: phase, value: n.value, max: n.max, displayNodeID: n.displayNodeID,
                parentNodeID: n.parentNodeID, realNodeID: n.realNodeID)
        }
        if nodes.byID != table { nodes.byID = table }
        for n in s.nodes where n.state == "finished" { nodes.markExecuted(n.nodeID) }
        // The step counter follows the one node that is running (several run at once
        // only with async nodes; then `progress` ticks name the node).
        if running.count == 1, let n = running.first {
            step(node: n.nodeID, value: n.value, max: n.max, at: at)
        }
        recomputeFraction(at: at)
    }

    /// Updates the current step and the step rate (measured from the node's first tick).
    mutating func step(node: String?, value: Double, max: Double, at: Timestamp) {
        if progress.node != node || progress.rateAnchor == nil || value < progress.rateAnchor!.value {
            progress.node = node
            progress.rateAnchor = (value, at)
            progress.stepsPerSecond = nil
        } else if let anchor = progress.rateAnchor, value > anchor.value, at > anchor.at {
            progress.stepsPerSecond = (value - anchor.value) / (at - anchor.at)
        }
        progress.value = value
        progress.max = max
        progress.updatedAt = at
    }

    /// The whole prompt's fraction: cached and finished nodes count fully, running ones
    /// by their step; over the graph's node count when we know the graph, else over the
    /// nodes seen. Only top-level nodes count (expanded inner nodes roll up into their
    /// parent). The ETA extrapolates from execution start.
    mutating func recomputeFraction(at: Timestamp) {
        guard let id = progress.promptID, id == nodes.promptID else { return }
        var done = 0.0
        var seen = Set(nodes.cached)
        done += Double(nodes.cached.count)
        for (key, node) in nodes.byID where node.parentNodeID == nil && !seen.contains(key) {
            seen.insert(key)
            done += node.fraction
        }
        let total = Double(Swift.max(queue.prompts[id]?.nodeCount ?? 0, seen.count, 1))
        let fraction = Swift.min(done / total, 1)
        if progress.fraction != fraction { progress.fraction = fraction }
        if let start = progress.startedAt, fraction > 0, fraction < 1, at > start {
            progress.etaSeconds = (at - start) * (1 - fraction) / fraction
        } else if fraction >= 1 {
            progress.etaSeconds = 0
        }
    }

    mutating func apply(_ message: BinaryMessage, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch message {
        case .preview(let p):
            // No identity on the wire: it belongs to our running prompt's current node,
            // if we own the running prompt; otherwise it cannot be attributed.
            let ours = nodes.promptID.flatMap { queue.prompts[$0]?.owner == .ours ? $0 : nil }
            notePreview(promptID: ours, nodeID: ours == nil ? nil : nodes.executing, mime: p.mimeType, bytes: p.image.count, at: at)
        case .previewWithMetadata(let p):
            notePreview(promptID: p.promptID, nodeID: p.nodeID, mime: p.mimeType ?? "image/jpeg", bytes: p.image.count, at: at)
        case .progressText(let t):
            // Broadcast to every socket by released servers: keep it only when the node
            // belongs to the prompt running now (or the frame names that prompt).
            let belongs = t.promptID.map { $0 == nodes.promptID } ?? (nodes.byID[t.nodeID] != nil)
            guard belongs, let id = nodes.promptID, queue.prompts[id]?.status == .running else { return }
            if progress.texts[t.nodeID] != t.text { progress.texts[t.nodeID] = t.text }
        }
    }

    mutating func notePreview(promptID: String?, nodeID: String?, mime: String, bytes: Int, at: Timestamp) {
        let count = (progress.preview?.promptID == promptID && promptID != nil ? progress.preview!.count : 0) + 1
        progress.preview = .init(promptID: promptID, nodeID: nodeID, mimeType: mime, bytes: bytes, at: at, count: count)
    }
}
