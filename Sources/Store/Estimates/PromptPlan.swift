/// What is left of the running prompt, and what its nodes are expected to take: made when
/// the prompt starts (from its graph and the ``DurationBook``), kept up to date by its
/// `executing` and `progress` messages, and read on every tick for the ETA — in constant
/// time: the expected seconds of the nodes not yet started are summed as they start.
struct PromptPlan: Sendable {
    /// A node expected to run and not yet started.
    struct Pending: Sendable {
        var seconds: Double?
        var basis: EstimateBasis?
    }

    /// The node running now.
    struct Current: Sendable {
        var id: String
        /// Its place in the graph; nil for a node the graph does not list (an expanded
        /// inner node, or a graph we do not know).
        var node: WorkflowShape.Node?
        var startedAt: Timestamp
        /// What earlier runs say of it.
        var learned: DurationBook.Stat?
        var basis: EstimateBasis?
        /// Whether `learned` is of its own settings (else of its class, with other settings:
        /// its step rate is then not trusted over the node's own).
        var sameSettings = false
        /// Its first and latest step, and when.
        var firstTick: (value: Double, at: Timestamp)?
        var lastTick: (value: Double, max: Double, at: Timestamp)?
        /// When it reached its last step.
        var doneStepsAt: Timestamp?

        /// The running node's time left, when anything is known of it: its steps left at their
        /// measured rate (the learned rate until three steps are seen) plus the learned time
        /// after its last step; else the learned time less what it has run. An unknown tail
        /// makes it a lower bound.
        func left(at: Timestamp) -> (seconds: Double, basis: EstimateBasis)? {
            let learnedBasis = basis ?? .lowerBound
            if let last = lastTick, last.max > 0 {
                var rate: Double?
                // A learned rate of its own settings is trusted until three steps are seen; one
                // of its class with other settings (more steps, another delay) is not.
                let learnedRate = sameSettings ? learned?.perStep : nil
                if let first = firstTick, last.value - first.value >= 2 || (last.value > first.value && learnedRate == nil) {
                    rate = (last.at - first.at) / (last.value - first.value)
                } else if let perStep = learnedRate {
                    rate = perStep
                } else if last.value > 0, last.at > startedAt {
                    // One step seen, nothing learned: from the node's start (its setup counted
                    // in, so the rate is if anything too slow; the next step corrects it).
                    rate = (last.at - startedAt) / last.value
                }
                if let rate {
                    let steps = Swift.max(last.max - last.value, 0) * rate
                    if let tail = learned?.tail { return (steps + tail, learnedBasis) }
                    if let learned = learned, learned.perStep == nil {
                        // Learned as a whole (its steps never measured): the larger of the two.
                        return (Swift.max(steps, learned.seconds - (at - startedAt)), learnedBasis)
                    }
                    return (steps, .lowerBound)
                }
            }
            guard let learned = learned else { return nil }
            return (Swift.max(learned.seconds - (at - startedAt), 0), learnedBasis)
        }
    }

    var promptID: String
    var server: String
    /// nil: the graph is not known (another client's prompt), so what is left after the
    /// running node is not known either.
    var shape: WorkflowShape?
    var startedAt: Timestamp
    /// Whether the prompt was followed from its `execution_start`: only such a run is
    /// timed completely enough to learn from.
    var sawStart: Bool
    var pending: [String: Pending] = [:]
    var pendingSeconds = 0.0
    var pendingUnknown = 0
    var pendingNodeClass = 0
    var current: Current?
    var timings: [DurationBook.NodeTiming] = []
    var cached: [String] = []
    /// Changes with every change above: what `==` compares (the plan is internal; the
    /// figures it makes are compared in ``ProgressState``).
    var revision = 0

    init(promptID: String, server: String, shape: WorkflowShape?, cached: [String], startedAt: Timestamp, sawStart: Bool, book: DurationBook) {
        self.promptID = promptID
        self.server = server
        self.shape = shape
        self.startedAt = startedAt
        self.sawStart = sawStart
        self.cached = cached
        guard let shape else { return }
        for node in shape.nodes where !cached.contains(node.id) {
            let learned = book.expected(node, workflow: shape.key, server: server)
            add(node.id, Pending(seconds: learned?.stat.seconds, basis: learned?.basis))
        }
    }

    private mutating func add(_ id: String, _ p: Pending) {
        pending[id] = p
        if let s = p.seconds { pendingSeconds += s } else { pendingUnknown += 1 }
        if p.basis == .nodeClass { pendingNodeClass += 1 }
    }

    @discardableResult
    private mutating func take(_ id: String) -> Pending? {
        guard let p = pending.removeValue(forKey: id) else { return nil }
        if let s = p.seconds { pendingSeconds -= s } else { pendingUnknown -= 1 }
        if p.basis == .nodeClass { pendingNodeClass -= 1 }
        if pending.isEmpty { pendingSeconds = 0 }  // no drift from adding and taking
        return p
    }

    /// `execution_cached`: these nodes will not run.
    mutating func cache(_ ids: [String]) {
        for id in ids where !cached.contains(id) {
            cached.append(id)
            take(id)
        }
        revision += 1
    }

    /// `executing` names `id`: the node before it ended, this one starts.
    mutating func start(_ id: String, at: Timestamp, book: DurationBook) {
        if current?.id == id { return }
        let node = shape?.nodes.first { $0.id == id }
        // A node the graph does not list runs inside the one that expanded it: its time
        // is that node's.
        if shape != nil, node == nil, current != nil { return }
        finishCurrent(at: at)
        take(id)
        var learned: (stat: DurationBook.Stat, basis: EstimateBasis, sameSettings: Bool)?
        if let node, let shape { learned = book.expected(node, workflow: shape.key, server: server) }
        current = Current(id: id, node: node, startedAt: at, learned: learned?.stat, basis: learned?.basis, sameSettings: learned?.sameSettings ?? false)
        revision += 1
    }

    /// A step of `id` (nil: the running node).
    mutating func tick(_ id: String?, value: Double, max: Double, at: Timestamp) {
        // A step seen again (`progress` after `progress_state` for the same step) keeps
        // the time it was first seen: the rate is of steps, not of messages.
        // Written in place (`current!.…`): a copy of `current` would retain and release its
        // strings on every tick.
        guard current != nil, id == nil || id == current!.id,
            current!.lastTick.map({ $0.value != value || $0.max != max }) ?? true
        else { return }
        if current!.firstTick == nil || value < current!.firstTick!.value { current!.firstTick = (value, at) }
        current!.lastTick = (value, max, at)
        if value >= max, max > 0, current!.doneStepsAt == nil { current!.doneStepsAt = at }
        revision += 1
    }

    /// The running node ended at `at`: what it took is kept for learning.
    mutating func finishCurrent(at: Timestamp) {
        guard let c = current else { return }
        current = nil
        revision += 1
        guard let node = c.node else { return }
        var perStep: Double?
        if let first = c.firstTick, let last = c.lastTick, last.value > first.value, last.at > first.at {
            perStep = (last.at - first.at) / (last.value - first.value)
        }
        timings.append(.init(node: node, seconds: at - c.startedAt, perStep: perStep, tail: c.doneStepsAt.map { at - $0 }))
    }

    /// What is left at `at`: seconds (nil when nothing at all is known) and how sure.
    func estimate(at: Timestamp) -> (seconds: Double?, basis: EstimateBasis) {
        var seconds = pendingSeconds
        var basis: EstimateBasis = .workflow
        var known = pendingSeconds > 0 || (pendingUnknown == 0 && shape != nil)
        if pendingUnknown > 0 || shape == nil { basis = .lowerBound }
        if pendingNodeClass > 0 { basis = Swift.max(basis, .nodeClass) }
        // Read in place (`current?.left`): `if let c = current` copied the running node,
        // with its strings, on every tick.
        if current != nil {
            if let left = current?.left(at: at) {
                seconds += left.seconds
                known = true
                basis = Swift.max(basis, left.basis)
            } else {
                basis = .lowerBound
            }
        }
        // "At least 0 s" says nothing: as good as not knowing.
        if basis == .lowerBound, seconds <= 0 { known = false }
        return (known ? Swift.max(seconds, 0) : nil, basis)
    }
}

extension PromptPlan: Equatable {
    static func == (a: PromptPlan, b: PromptPlan) -> Bool { a.promptID == b.promptID && a.revision == b.revision }
}
