#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Progress: `progress` ticks, `progress_state` snapshots, previews and progress text.
extension ServerScope {
    /// A prompt we had not heard of shows up in a broadcast: track it as observed. A
    /// prompt that already ended ignores late ticks. Returns false to ignore the message.
    mutating func observe(_ id: String, at: Timestamp) -> Bool {
        // The two fields are read from `brief`: `queue.records[id]` (and `values[i]`: its
        // getter is not inlined) copies the record, and a copy retains and releases each
        // of its strings and arrays (a tenth of decode+reduce, on every tick).
        if let brief = queue.brief(id) {
            let status = brief.status
            // Over, or gone from the queue already (a late frame: `leftAlready`).
            if status.isTerminal || status == .ended { return false }
            // Already running and accepted (every tick after the first): nothing to write,
            // and no copying and comparing of the record to find that out.
            if status != .running || !brief.accepted {
                updatePrompt(id, creating: .running, owner: .observed) {
                    $0.accepted = true
                    $0.move(to: .running, at: at)
                }
            }
        } else {
            updatePrompt(id, creating: .running, owner: .observed) {
                $0.accepted = true
                $0.move(to: .running, at: at)
            }
        }
        if nodes.promptID != id { activate(id, at: at) }
        return true
    }

    mutating func progressTick(_ p: ServerMessage.Progress, at: Timestamp) {
        // `prompt_id` can be null in principle: the running prompt is the best guess.
        guard let id = p.promptID ?? nodes.promptID, observe(id, at: at) else { return }
        if let node = p.node, var n = nodes.table[node], n.value != p.value || n.max != p.max {
            n.value = p.value
            n.max = p.max
            nodes.set(node, n)
        }
        step(node: p.node ?? progress.node, value: p.value, max: p.max, at: at)
        progress.updatePlan { if $0.promptID == id { $0.tick(p.node, value: p.value, max: p.max, at: at) } }
        recomputeFraction(at: at)
    }

    mutating func progressSnapshot(_ s: ServerMessage.ProgressSnapshot, at: Timestamp) {
        guard observe(s.promptID, at: at) else { return }
        // A full snapshot: the table becomes exactly its non-pending nodes (protocol 2.7:
        // replace, do not merge). Consecutive snapshots list the same nodes with one or two
        // changed, so the table is updated in place — only changed entries are written,
        // and an unchanged table keeps its storage — rather than rebuilt and re-hashed.
        // `error` is never sent in practice, but honour it if a server does.
        let list = s.nodes
        // The entries to apply: [lo, hi). Those before and after equal the previous
        // snapshot's at the same places; if nothing wrote the table since that snapshot
        // (its version says so), they are in the table already (see `lastSnapshot`).
        var lo = 0
        var hi = list.count
        var incremental = false
        // Keys written since that snapshot (by one reduction in between: a `progress` tick
        // writes its node), applied again wherever they are listed.
        var dirty: [String] = []
        var lastPrevious: [ServerMessage.NodeProgress]?
        if let last = nodes.lastSnapshot, last.promptID == s.promptID, last.list.count == list.count,
            let version = nodes.version
        {
            if version === last.version {
                incremental = true
            } else if let journal = nodes.journal, journal.base === last.version {
                incremental = true
                dirty = journal.keys
            }
            if incremental {
                // Entries the decoder took from the previous frame are bit for bit those
                // of the previous list (the same strings): found by `memcmp` over the run,
                // then `==` from the first that differs in its bits (comparing 500 entries
                // field by field was a tenth of a 500-node snapshot's reduction).
                lo = Self.sameBitsPrefix(list, last.list, upTo: hi)
                while lo < hi && list[lo] == last.list[lo] { lo += 1 }
                while hi > lo && list[hi - 1] == last.list[hi - 1] { hi -= 1 }
                // The previous list's keys were unique; so are these if the changed entries
                // keep their keys.
                incremental = (lo..<hi).allSatisfy { list[$0].nodeID == last.list[$0].nodeID }
            }
            if incremental { lastPrevious = last.list }
            if !incremental { (lo, hi, dirty) = (0, list.count, []) }
        }
        let lastCounts = incremental ? nodes.lastSnapshot?.counts : nil
        nodes.lastSnapshot = nil
        let unique = incremental || Self.hasUniqueKeys(list)
        // Which nodes are listed and running: the states only. From the previous
        // snapshot's counts and the entries that changed when the rest is that snapshot's
        // (reading every entry's state was a tenth of a 500-node snapshot's reduction),
        // else over the whole list.
        var counts = NodesState.SnapshotCounts()
        if let last = lastCounts, let previous = lastPrevious {
            counts = last
            for index in lo..<hi {
                let (wasListed, wasRunning) = Self.kind(previous[index].state)
                let (isListed, isRunning) = Self.kind(list[index].state)
                counts.listed += (isListed ? 1 : 0) - (wasListed ? 1 : 0)
                counts.running += (isRunning ? 1 : 0) - (wasRunning ? 1 : 0)
            }
            // Entries before `lo` are unchanged: a running one there is still the first.
            if !(last.firstRunning >= 0 && last.firstRunning < lo) {
                counts.firstRunning = (lo..<hi).first { Self.kind(list[$0].state).running } ?? -1
                if counts.firstRunning < 0, last.firstRunning >= hi {
                    counts.firstRunning = last.firstRunning
                } else if counts.firstRunning < 0, last.firstRunning >= lo {
                    counts.firstRunning = (hi..<list.count).first { Self.kind(list[$0].state).running } ?? -1
                }
            }
        } else {
            for index in list.indices {
                let (isListed, isRunning) = Self.kind(list[index].state)
                if isListed { counts.listed += 1 }
                if isRunning {
                    counts.running += 1
                    if counts.firstRunning < 0 { counts.firstRunning = index }
                }
            }
        }
        let listed = counts.listed
        let runningCount = counts.running
        let firstRunning = counts.firstRunning
        var table: [String: NodesState.Node] = [:]  // only used when keys repeat (see below)
        // By index, reading fields in place: `for n in list` copied every entry, and with it
        // retained and released its five strings (a tenth of reducing a 500-node snapshot).
        func apply(_ index: Int) {
            let phase: NodesState.Phase
            switch list[index].state {
            case "finished": phase = .finished
            case "error": phase = .failed
            case "pending": return
            default: phase = .running
            }
            let node = NodesState.Node(
                state: phase, value: list[index].value, max: list[index].max, displayNodeID: list[index].displayNodeID,
                parentNodeID: list[index].parentNodeID, realNodeID: list[index].realNodeID)
            if unique {
                nodes.update(list[index].nodeID, node)
            } else {
                table[list[index].nodeID] = node
            }
        }
        // A large graph's first snapshot: room for its nodes at once.
        if unique, hi - lo > 64, nodes.table.count < listed {
            nodes.reserveNodes(keys: list.lazy.filter { $0.state != "pending" }.map(\.nodeID))
        }
        for index in (unique ? lo..<hi : list.indices) { apply(index) }
        if !dirty.isEmpty {
            for index in list.indices where !(lo..<hi).contains(index) && dirty.contains(list[index].nodeID) { apply(index) }
        }
        if !unique {
            // A key listed twice (never seen from a real server): the table is rebuilt from
            // the list, the last listing winning, with no in-place shortcut.
            if nodes.byID != table { nodes.byID = table }
        } else if nodes.table.count != listed {
            // The table had nodes this snapshot no longer lists: drop them.
            var keys = Set<String>(minimumCapacity: listed)
            for index in list.indices where list[index].state != "pending" { keys.insert(list[index].nodeID) }
            nodes.rewrite { $0 = $0.filter(keys: keys.contains) }
        }
        // Finished nodes outside [lo, hi) were marked by the previous snapshot, unless a list
        // changed since (which drops the index).
        markFinishedExecuted(list, in: incremental && nodes.doneIndex != nil ? lo..<hi : list.indices)
        if unique, let version = nodes.version { nodes.lastSnapshot = (s.promptID, list, version, counts) }
        // The step counter follows the one node that is running (several run at once
        // only with async nodes; then `progress` ticks name the node).
        if runningCount == 1 {
            step(node: list[firstRunning].nodeID, value: list[firstRunning].value, max: list[firstRunning].max, at: at)
            progress.updatePlan {
                if $0.promptID == s.promptID {
                    $0.tick(list[firstRunning].nodeID, value: list[firstRunning].value, max: list[firstRunning].max, at: at)
                }
            }
        }
        recomputeFraction(at: at)
    }

    /// `nodes.markExecuted` for the snapshot's finished nodes, in order, in linear time: a
    /// 500-node snapshot lists ~500 finished nodes, and checking each against the executed
    /// list one by one was quadratic (most of the time of a large snapshot). The set of
    /// done ids is kept between snapshots (`NodesState.doneIndex`: building it anew for
    /// each snapshot was a fifth of reducing one); small graphs use the lists.
    mutating func markFinishedExecuted(_ list: [ServerMessage.NodeProgress], in range: Range<Int>) {
        if nodes.doneIndex == nil, nodes.executed.count + nodes.cached.count + list.count <= 16 {
            for index in range where list[index].state == "finished" { nodes.markExecuted(list[index].nodeID) }
            return
        }
        var known = nodes.doneIndex ?? Set(nodes.executed).union(nodes.cached)
        if range.count > 64 { known.reserveCapacity(known.count + range.count) }
        nodes.doneIndex = nil  // so that `known` is the only reference, and inserts do not copy
        for index in range where list[index].state == "finished" {
            if known.insert(list[index].nodeID).inserted { nodes.executed.append(list[index].nodeID) }
        }
        nodes.doneIndex = known
    }

    /// How many entries at the start of `a` and `b` (up to `limit`) are equal byte for byte
    /// — equal values, as they hold the same strings; an entry equal but not in its bits
    /// (strings with other storage) ends the run, and `==` goes on from there.
    static func sameBitsPrefix(_ a: [ServerMessage.NodeProgress], _ b: [ServerMessage.NodeProgress], upTo limit: Int) -> Int {
        let stride = MemoryLayout<ServerMessage.NodeProgress>.stride
        let n = Swift.min(limit, a.count, b.count)
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in
                guard let x = x.baseAddress, let y = y.baseAddress else { return 0 }
                // Blocks of 32 entries, then one by one in the block that differs.
                var i = 0
                while i + 32 <= n, memcmp(x + i * stride, y + i * stride, 32 * stride) == 0 { i += 32 }
                while i < n, memcmp(x + i * stride, y + i * stride, stride) == 0 { i += 1 }
                return i
            }
        }
    }

    /// A snapshot entry's state: listed (not pending), and running (neither finished nor
    /// failed).
    @inline(__always)
    static func kind(_ state: String) -> (listed: Bool, running: Bool) {
        switch state {
        case "pending": return (false, false)
        case "finished", "error": return (true, false)
        default: return (true, true)
        }
    }

    /// Whether no node id is listed twice (a linear scan for small snapshots, a set for large).
    static func hasUniqueKeys(_ list: [ServerMessage.NodeProgress]) -> Bool {
        if list.count <= 16 {
            for i in list.indices {
                for j in list.indices where j > i && list[j].nodeID == list[i].nodeID { return false }
            }
            return true
        }
        var seen = Set<String>(minimumCapacity: list.count)
        for index in list.indices where !seen.insert(list[index].nodeID).inserted { return false }
        return true
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

    /// The whole prompt's fraction and ETA. The share of nodes done: cached and finished
    /// nodes count fully, running ones by their step; over the graph's node count when we
    /// know the graph, else over the nodes seen. Only top-level nodes count (expanded inner
    /// nodes roll up into their parent). Then the ETA and the time-weighted fraction from
    /// the prompt's plan (`estimate`).
    mutating func recomputeFraction(at: Timestamp) {
        guard let id = progress.promptID, id == nodes.promptID else { return }
        // Cached nodes count fully (each distinct id once in `seen`); table nodes that are
        // not cached count by their fraction. A set of the cached ids only when there are
        // many: this runs on every tick.
        let cached = nodes.cached
        let cachedSet: Set<String>? = cached.count > 8 ? Set(cached) : nil
        var distinctCached = cachedSet?.count ?? 0
        if cachedSet == nil {
            for (i, c) in cached.enumerated() where !cached[..<i].contains(c) { distinctCached += 1 }
        }
        var done = Double(cached.count)
        var counted = 0
        if cached.isEmpty {
            // Nothing cached (most prompts): from the counts the table keeps — finished
            // nodes count 1 each, and only the others are read (a 500-node graph's
            // snapshot walked all 500 entries here). The sum's order differs from the walk
            // below, as the walk's own did from one process to the next (hash seeds).
            let table = nodes.table
            counted = table.topLevelCount
            done += Double(table.topLevelFinished)
            for key in table.topLevelOpen {
                if let node = table[key] { done += node.fraction }
            }
        } else {
            nodes.table.forEachEntry { key, node in
                guard node.parentNodeID == nil else { return }
                if cachedSet.map({ $0.contains(key) }) ?? cached.contains(key) { return }
                counted += 1
                done += node.fraction
            }
        }
        // (`nodeCount` read from the brief, not through a copy of the record: see `observe`.)
        let nodeCount = queue.brief(id)?.nodeCount ?? 0
        let total = Double(Swift.max(nodeCount, distinctCached + counted, 1))
        estimate(countFraction: Swift.min(done / total, 1), at: at)
    }

    /// The ETA from the plan (see `PromptPlan.estimate`), and the fraction weighted by
    /// time: run time over run time plus ETA. A lower-bound ETA makes that an upper bound,
    /// so the fraction is then at most the share of nodes done. It never goes back: a bar
    /// that shrinks tells the user nothing true.
    mutating func estimate(countFraction: Double, at: Timestamp) {
        var fraction = countFraction
        var eta: Double?
        var basis: EstimateBasis?
        // Read in its box (`if let plan = progress.plan` would copy the plan, and retain and
        // release its tables, on every tick).
        if let box = progress.planBox {
            let e = box.estimate(at: at)
            let startedAt = e.startedAt
            eta = e.seconds
            basis = eta == nil ? nil : e.basis
            if let eta {
                let ran = Swift.max(at - startedAt, 0)
                let byTime = ran + eta > 0 ? ran / (ran + eta) : countFraction
                fraction = e.basis == .lowerBound ? Swift.min(countFraction, byTime) : byTime
            }
        }
        fraction = Swift.min(Swift.max(fraction, progress.fraction), 1)
        if progress.fraction != fraction { progress.fraction = fraction }
        if progress.etaSeconds != eta { progress.etaSeconds = eta }
        if progress.etaBasis != basis { progress.etaBasis = basis }
    }

    mutating func apply(_ message: BinaryMessage, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch message {
        case .preview(let p):
            // No identity on the wire: it belongs to our running prompt's current node,
            // if we own the running prompt; otherwise it cannot be attributed.
            let ours = nodes.promptID.flatMap { id in queue.brief(id)?.owner == .ours ? id : nil }
            notePreview(promptID: ours, nodeID: ours == nil ? nil : nodes.executing, mime: p.mimeType, bytes: p.image.count, at: at)
        case .previewWithMetadata(let p):
            notePreview(promptID: p.promptID, nodeID: p.nodeID, mime: p.mimeType ?? "image/jpeg", bytes: p.image.count, at: at)
        case .progressText(let t):
            // Broadcast to every socket by released servers: keep it only when the node
            // belongs to the prompt running now (or the frame names that prompt).
            let belongs = t.promptID.map { $0 == nodes.promptID } ?? (nodes.table[t.nodeID] != nil)
            guard belongs, let id = nodes.promptID, queue.brief(id)?.status == .running else { return }
            if progress.texts[t.nodeID] != t.text { progress.texts[t.nodeID] = t.text }
        }
    }

    mutating func notePreview(promptID: String?, nodeID: String?, mime: String, bytes: Int, at: Timestamp) {
        let count = (progress.preview?.promptID == promptID && promptID != nil ? progress.preview!.count : 0) + 1
        progress.preview = .init(promptID: promptID, nodeID: nodeID, mimeType: mime, bytes: bytes, at: at, count: count)
    }
}
