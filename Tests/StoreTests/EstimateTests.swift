@testable import ComfyCore
import Testing

/// The progress model's rules (docs/progress.md), one by one, on made-up runs whose times
/// are the actions' timestamps: the test clock. A run is the issue's workflow shape — an
/// instant node, a 20-step node at 0.15 s a step, a 1.5 s node that reports no steps until
/// its end, a save.
@Suite struct EstimateTests {
    let me = "me0000000000000000000000000000001"

    /// One progress event as the reducer left the state: the ETA and what was really left.
    struct Sample: Equatable {
        var at: Double
        var eta: Double?
        var basis: EstimateBasis?
        var left: Double
        var fraction: Double
    }

    /// A node of a made-up run: its id, class, inputs, and how it runs (steps of `step`
    /// seconds, then `tail` seconds; no steps: `tail` seconds and one tick at the end).
    struct Node {
        var id: String
        var classType: String
        var inputs: [JSONField] = []
        var steps = 0
        var step = 0.0
        var tail = 0.0
    }

    static func issueWorkflow(seed: Double = 1, text: String = "a cat", steps: Int = 20) -> [Node] {
        [
            Node(id: "1", classType: "EmptyImage", inputs: [JSONField("width", 64), JSONField("height", 64)], tail: 0.01),
            Node(
                id: "2", classType: "TestProgressLoop",
                inputs: [JSONField("image", .array(["1", 0])), JSONField("steps", .number(Double(steps))), JSONField("delay", 0.15),
                         JSONField("seed", .number(seed)), JSONField("text", .string(text))],
                steps: steps, step: 0.15, tail: 0.02),
            Node(id: "3", classType: "TestSleep", inputs: [JSONField("image", .array(["2", 0])), JSONField("seconds", 1.5), JSONField("tick", 1.5)],
                 steps: 1, step: 1.5),
            Node(id: "4", classType: "SaveImage", inputs: [JSONField("images", .array(["3", 0])), JSONField("filename_prefix", "eta")], tail: 0.05),
        ]
    }

    static func body(_ nodes: [Node], promptID: String, clientID: String) -> JSONValue {
        .object([
            JSONField("prompt", .object(nodes.map { JSONField($0.id, .object([JSONField("class_type", .string($0.classType)), JSONField("inputs", .object($0.inputs))])) })),
            JSONField("client_id", .string(clientID)), JSONField("prompt_id", .string(promptID)),
        ])
    }

    /// Runs `nodes` as prompt `id` from `start` (nodes in `cached` come from cache), and
    /// returns a sample at every progress tick; the state is left after the prompt's end.
    @discardableResult
    func run(
        _ nodes: [Node], id: String, on state: inout AppState, from start: Double, cached: [String] = [], server: String? = nil,
        fail: Bool = false, joinMidway: Bool = false
    ) -> [Sample] {
        let body = Self.body(nodes, promptID: id, clientID: me)
        let graph = SubmittedGraph(nodes: nodes.map { ($0.id, $0.classType) }, clientID: me)
        func at(_ s: Double) -> Timestamp { Timestamp(seconds: s) }
        func send(_ s: Double, _ m: ServerMessage) { state.apply(ComfyAction(at: at(s), server: server, .server(m))) }
        state.apply(ComfyAction(at: at(start), server: server, .user(.submitJob(JobRequest(promptID: id, graph: graph, body: body, pinned: server.map { [$0] })))))
        state.apply(ComfyAction(at: at(start), server: server, .http(.promptAccepted(PromptAccepted(promptID: id, number: 1, graph: graph)))))
        // Where each tick falls, and the end, first: the samples compare with the real end.
        var t = start
        var events: [(Double, ServerMessage)] = []
        if !joinMidway {
            events.append((t, .executionStart(promptID: id, timestamp: nil)))
            events.append((t, .executionCached(promptID: id, nodes: cached, timestamp: nil)))
        }
        for node in nodes where !cached.contains(node.id) {
            events.append((t, .executing(.init(node: node.id, displayNode: node.id, promptID: id))))
            for k in stride(from: 1, through: node.steps, by: 1) {
                t += node.step
                events.append((t, .progress(.init(value: Double(k), max: Double(node.steps), promptID: id, node: node.id))))
            }
            t += node.tail
        }
        if fail {
            events.append((t, .executionError(.init(promptID: id, nodeID: nodes.last?.id, nodeType: nodes.last?.classType, exceptionType: "RuntimeError", exceptionMessage: "boom"))))
        } else {
            events.append((t, .executionSuccess(promptID: id, timestamp: nil)))
        }
        events.append((t, .executing(.init(node: nil, promptID: id))))
        let end = t
        var samples: [Sample] = []
        for (s, m) in events {
            send(s, m)
            if case .progress = m {
                let p = state.server(for: server).progress
                samples.append(Sample(at: s, eta: p.etaSeconds, basis: p.etaBasis, left: end - s, fraction: p.fraction))
            }
        }
        return samples
    }

    func connected(_ names: [String] = [ServerState.defaultName]) -> AppState {
        var state = AppState(servers: names)
        for name in names {
            state.apply(ComfyAction(at: .zero, server: name, .connection(.opened(socket: 0, path: "/ws?clientId=\(me)", clientID: me))))
        }
        return state
    }

    static func meanError(_ samples: [Sample]) -> Double {
        samples.map { abs(($0.eta ?? 0) - $0.left) }.reduce(0, +) / Double(samples.count)
    }

    // MARK: First runs

    @Test func aFirstRunSaysItsETAIsALowerBoundAndNeverOverstatesIt() {
        var state = connected()
        let samples = run(Self.issueWorkflow(), id: "p1", on: &state, from: 10)
        // From the first step on: the sampler's steps left at their measured rate (the
        // first from the node's start), and a lower bound (the nodes after it were never
        // seen). Its last step leaves nothing known: "at least 0 s" is said as "—".
        for s in samples[0..<19] {
            #expect(s.basis == .lowerBound)
            #expect((s.eta ?? .infinity) <= s.left + 1e-9)
        }
        #expect(abs((samples[0].eta ?? 0) - 19 * 0.15) < 1e-9)
        #expect(abs((samples[1].eta ?? 0) - 18 * 0.15) < 1e-9)
        #expect(samples[19].eta == nil && samples[19].basis == nil)
        // The slow node's one step comes at its end; what follows was never seen: "—".
        #expect(samples.count == 21 && samples[20].eta == nil && samples[20].basis == nil)
    }

    @Test func aLowerBoundNeverRisesWhileStepsAdvanceSteadily() {
        var state = connected()
        let samples = run(Self.issueWorkflow(), id: "p1", on: &state, from: 10).filter { $0.eta != nil }
        for (a, b) in zip(samples, samples.dropFirst()) where b.basis == a.basis {
            #expect((b.eta ?? .infinity) <= (a.eta ?? -1) + 1e-9, "\(a) → \(b)")
        }
    }

    // MARK: Learned runs

    @Test func theSecondRunOfAWorkflowIsPredictedFromTheFirst() {
        var state = connected()
        run(Self.issueWorkflow(seed: 1), id: "p1", on: &state, from: 10)
        // A new seed and a new text: the same workflow.
        let samples = run(Self.issueWorkflow(seed: 2, text: "a dog"), id: "p2", on: &state, from: 20)
        #expect(samples.allSatisfy { $0.basis == .workflow })
        // Every node takes what it took the first time: the ETA is exact at every event.
        for s in samples { #expect(abs((s.eta ?? .infinity) - s.left) < 1e-9, "\(s)") }
    }

    @Test func aLearnedETANeverRisesWhileStepsAdvanceSteadily() {
        var state = connected()
        run(Self.issueWorkflow(), id: "p1", on: &state, from: 10)
        let samples = run(Self.issueWorkflow(), id: "p2", on: &state, from: 20)
        for (a, b) in zip(samples, samples.dropFirst()) { #expect((b.eta ?? .infinity) <= (a.eta ?? -1) + 1e-9) }
    }

    @Test func theFractionIsWeightedByTimeAndNeverGoesBack() {
        var state = connected()
        run(Self.issueWorkflow(), id: "p1", on: &state, from: 10)
        let samples = run(Self.issueWorkflow(), id: "p2", on: &state, from: 20)
        let total = samples.last!.at + samples.last!.left - 20
        for s in samples { #expect(abs(s.fraction - (s.at - 20) / total) < 1e-9) }
        for (a, b) in zip(samples, samples.dropFirst()) { #expect(b.fraction >= a.fraction) }
        #expect(state.progress.fraction == 1)
    }

    @Test func moreStepsAreAnotherWorkflowWhoseNodesAreKnownByClass() {
        var state = connected()
        run(Self.issueWorkflow(steps: 20), id: "p1", on: &state, from: 10)
        let samples = run(Self.issueWorkflow(steps: 30), id: "p2", on: &state, from: 20)
        // The sampler's settings changed, so its node is known by class only; the others
        // by their own settings, in another workflow: `node_class` all along.
        #expect(samples.allSatisfy { $0.basis == .nodeClass })
        // From its third step the sampler's own rate counts, and the class's tail and the
        // other nodes' times are right: exact.
        for s in samples.dropFirst(2) { #expect(abs((s.eta ?? .infinity) - s.left) < 1e-9, "\(s)") }
    }

    @Test func aClassLearnedWithOtherSettingsYieldsToTheNodesOwnSteps() {
        var state = connected()
        run(Self.issueWorkflow(steps: 20), id: "p1", on: &state, from: 10)
        // The sampler with 30 faster steps: its class took 0.15 s a step elsewhere, this one
        // takes 0.1. From its first step its own rate counts, so the ETA does not jump up.
        var faster = Self.issueWorkflow(steps: 30)
        faster[1].inputs[2] = JSONField("delay", 0.1)
        faster[1].step = 0.1
        let samples = run(faster, id: "p2", on: &state, from: 20)
        for (a, b) in zip(samples, samples.dropFirst()) { #expect((b.eta ?? .infinity) <= (a.eta ?? -1) + 1e-9, "\(a) → \(b)") }
        // Its first step (0.1 s from its start) gives the rate: 29 steps left, the class's
        // tail, the sleep node as learned, the save.
        #expect(abs((samples[0].eta ?? 0) - (29 * 0.1 + 0.02 + 1.5 + 0.05)) < 1e-9)
    }

    @Test func cachedNodesAreNotWaitedFor() {
        var state = connected()
        run(Self.issueWorkflow(), id: "p1", on: &state, from: 10)
        let samples = run(Self.issueWorkflow(), id: "p2", on: &state, from: 20, cached: ["1", "2"])
        #expect(samples.map(\.basis) == [.workflow])
        #expect(abs((samples[0].eta ?? .infinity) - samples[0].left) < 1e-9)
    }

    @Test func aNodeTheWorkflowNeverRanIsNotWaitedFor() {
        var state = connected()
        var nodes = Self.issueWorkflow()
        // A node no output needs: in the graph, never run by the server.
        nodes.append(Node(id: "9", classType: "Unreached"))
        let graph = nodes
        nodes.removeLast()
        run(nodes, id: "p1", on: &state, from: 10)
        // The same graph again: its runs never had node 9, so it counts for nothing.
        var second = graph
        second.removeLast()
        let samples = run(second, id: "p2", on: &state, from: 20)
        #expect(samples.allSatisfy { $0.basis == .workflow })
    }

    @Test func aFailedRunOrOneJoinedMidwayTeachesNothing() {
        var state = connected()
        run(Self.issueWorkflow(), id: "p1", on: &state, from: 10, fail: true)
        #expect(state.estimates.entries.isEmpty)
        run(Self.issueWorkflow(), id: "p2", on: &state, from: 20, joinMidway: true)
        #expect(state.estimates.entries.isEmpty)
        #expect(state.prompt("p2")?.status == .succeeded)
    }

    @Test func whatOneServerLearnedServesAnotherUntilItHasItsOwn() {
        var state = connected(["a", "b"])
        run(Self.issueWorkflow(), id: "p1", on: &state, from: 10, server: "a")
        let samples = run(Self.issueWorkflow(), id: "p2", on: &state, from: 20, server: "b")
        #expect(samples.allSatisfy { $0.basis == .workflow })
        #expect(state.estimates.seconds(ofWorkflow: WorkflowShape(prompt: Self.body(Self.issueWorkflow(), promptID: "x", clientID: me))!.key, on: "b") != nil)
    }

    @Test func learnedDurationsReadBackPredictAsWell() {
        var first = connected()
        run(Self.issueWorkflow(), id: "p1", on: &first, from: 10)
        let written = first.estimates.changes(since: 0)
        #expect(!written.isEmpty)
        // A new process: an empty state, the figures read back from the job store.
        var state = connected()
        state.apply(ComfyAction(at: .zero, .fleet(.durationsLoaded(written))))
        #expect(state.estimates.changes(since: 0).isEmpty)  // read back: nothing to write again
        let samples = run(Self.issueWorkflow(), id: "p2", on: &state, from: 20)
        for s in samples { #expect(abs((s.eta ?? .infinity) - s.left) < 1e-9) }
    }

    @Test func aLearnedFigureFollowsTheRecentRuns() {
        var book = DurationBook()
        let shape = WorkflowShape(prompt: .object([JSONField("1", .object([JSONField("class_type", "X")]))]))!
        for k in 1...20 {
            book.learn(server: "s", shape: shape, timings: [.init(node: shape.nodes[0], seconds: k <= 10 ? 1 : 3)], cached: [], total: 1)
        }
        // Ten runs at 3 s after ten at 1 s: each later run weighs an eighth, so the gap of
        // 2 s shrinks by 7/8 a run — a mean over all twenty would say 2.
        let stat = book.expected(shape.nodes[0], workflow: shape.key, server: "s")!.stat
        var gap = 2.0
        for _ in 1...10 { gap *= 7.0 / 8 }
        #expect(abs(stat.seconds - (3 - gap)) < 1e-9)
        #expect(stat.runs == 20)
    }

    // MARK: Queue forecast

    @Test func waitingJobsAreForecastFromTheLearnedRunTime() {
        var state = connected()
        run(Self.issueWorkflow(), id: "p1", on: &state, from: 10)
        let total = 0.01 + 20 * 0.15 + 0.02 + 1.5 + 0.05
        let body = Self.body(Self.issueWorkflow(), promptID: "x", clientID: me)
        let graph = SubmittedGraph(nodes: Self.issueWorkflow().map { ($0.id, $0.classType) }, clientID: me)
        for id in ["p2", "p3", "p4"] {
            state.apply(ComfyAction(at: Timestamp(seconds: 30), .user(.submitJob(JobRequest(promptID: id, graph: graph, body: body)))))
        }
        let f = state.forecast(at: Timestamp(seconds: 30))
        #expect(f.map(\.promptID) == ["p2", "p3", "p4"])
        #expect(f.map(\.basis) == [.workflow, .workflow, .workflow])
        for (k, job) in f.enumerated() {
            #expect(abs(job.startsIn! - Double(k) * total) < 1e-9)
            #expect(abs(job.endsIn! - Double(k + 1) * total) < 1e-9)
        }
    }

    @Test func aJobAfterOneNeverTimedIsForecastAsALowerBound() {
        var state = connected()
        run(Self.issueWorkflow(), id: "p1", on: &state, from: 10)
        var other = Self.issueWorkflow()
        other[1].inputs[2] = JSONField("delay", 0.3)  // another workflow, never run
        for (id, nodes) in [("p2", other), ("p3", Self.issueWorkflow())] {
            let graph = SubmittedGraph(nodes: nodes.map { ($0.id, $0.classType) }, clientID: me)
            state.apply(ComfyAction(at: Timestamp(seconds: 30), .user(.submitJob(JobRequest(promptID: id, graph: graph, body: Self.body(nodes, promptID: id, clientID: me))))))
        }
        let f = state.forecast(at: Timestamp(seconds: 30))
        #expect(f.map(\.basis) == [.lowerBound, .lowerBound])
        #expect(f[0].startsIn == 0 && f[0].endsIn == nil)
        #expect(f[1].startsIn == 0 && f[1].endsIn != nil)
    }

    // MARK: Keys

    @Test func seedsAndTextsDoNotChangeTheKeysButSettingsDo() {
        func key(_ nodes: [Node]) -> String { WorkflowShape(prompt: Self.body(nodes, promptID: "x", clientID: me))!.key }
        let base = key(Self.issueWorkflow())
        #expect(key(Self.issueWorkflow(seed: 99, text: "another text")) == base)
        #expect(key(Self.issueWorkflow(steps: 21)) != base)
        let shape = WorkflowShape(prompt: Self.body(Self.issueWorkflow(), promptID: "x", clientID: me))!
        let other = WorkflowShape(prompt: Self.body(Self.issueWorkflow(steps: 21), promptID: "x", clientID: me))!
        // Only the sampler's own settings changed.
        #expect(zip(shape.nodes, other.nodes).map { $0.configKey == $1.configKey } == [true, false, true, true])
        #expect(shape.key.count == 16)
        #expect(WorkflowShape(prompt: .object([JSONField("1", .object([]))])) == nil)
    }
}
