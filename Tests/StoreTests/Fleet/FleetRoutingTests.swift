@testable import ComfyCore
import Testing

/// Routing, pure: which server each job goes to, what waits in our queue, what is refused,
/// and what happens when a server is lost or comes back (issue 11).
@Suite struct FleetRoutingTests {
    let me = "me0000000000000000000000000000001"

    func at(_ s: Double) -> Timestamp { Timestamp(seconds: s) }

    /// A catalogue: the classes named, each with the list inputs given.
    func catalog(_ classes: [String: [String: Set<String>]]) -> ServerCapabilities { ServerCapabilities(classes: classes) }

    static let full: [String: [String: Set<String>]] = [
        "EmptyImage": [:], "TestProgressLoop": [:], "SaveImage": [:], "TestLoadModel": ["ckpt_name": ["base.safetensors", "xl.safetensors"]],
    ]

    /// A fleet with every server connected, resynced, and its catalogue known.
    func fleet(_ servers: [String: [String: [String: Set<String>]]], order: [String]) -> AppState {
        var state = AppState(servers: order)
        for (i, name) in order.enumerated() {
            state.apply(ComfyAction(at: at(0), server: name, .connection(.opened(socket: i, path: "/ws", clientID: me))))
            state.apply(ComfyAction(at: at(0.1), server: name, .http(.resynced(queue: .init(running: [], pending: []), history: []))))
            state.apply(ComfyAction(at: at(0.2), server: name, .http(.capabilities(catalog(servers[name]!)))))
        }
        return state
    }

    func job(_ id: String, model: String? = nil, classType: String = "TestProgressLoop", front: Bool = false, on: [String]? = nil) -> ComfyAction {
        var graph: [JSONField] = [
            JSONField("1", .object(["class_type": "EmptyImage", "inputs": .object([])])),
            JSONField("2", .object(["class_type": .string(classType), "inputs": .object([JSONField("image", ["1", 0])])])),
        ]
        if let model {
            graph.append(JSONField("3", .object(["class_type": "TestLoadModel", "inputs": .object([JSONField("ckpt_name", .string(model))])])))
        }
        let body = JSONValue.object([JSONField("prompt", .object(graph)), JSONField("client_id", .string(me)), JSONField("prompt_id", .string(id))])
        let request = JobRequest(
            promptID: id, graph: SubmittedGraph(nodes: graph.map { ($0.key, $0.value["class_type"]?.stringValue ?? "") }, clientID: me),
            body: body, priority: front ? -1 : 0, pinned: on)
        return ComfyAction(at: at(1), .user(.submitJob(request)))
    }

    /// The server each command is for (`primary`: the action's server, which plain
    /// commands are for), and which prompt it posts.
    func posts(_ commands: [Command], primary: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for command in commands {
            let (server, plain) = command.target(default: primary)
            if case .postPrompt(let id, _) = plain { out[server, default: []].append(id) }
        }
        return out
    }

    /// A job's body names the socket of the server it is sent to: each server tells a
    /// prompt's events only to the socket whose id the body gives, and a job is made
    /// before it has a server (here, with the first server's id; the second's socket has
    /// another).
    @Test func aJobIsSentUnderTheClientIDOfItsServersSocket() throws {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        let other = "other00000000000000000000000000002"
        state.apply(ComfyAction(at: at(0.3), server: "b", .connection(.opened(socket: 9, path: "/ws", clientID: other))))
        state.apply(ComfyAction(at: at(0.4), server: "b", .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        #expect(state.servers[1].connection.clientID == other)
        var bodies: [String: [String: JSONValue]] = [:]
        for id in ["j1", "j2", "j3", "j4"] {
            for command in state.apply(job(id)) {
                let (server, plain) = command.target(default: "a")
                if case .postPrompt(let posted, let body) = plain { bodies[server, default: [:]][posted] = body }
            }
        }
        let onB = try #require(bodies["b"])
        #expect(!onB.isEmpty)
        for (id, body) in onB {
            #expect(body["client_id"] == .string(other), "\(id)")
            #expect(body["prompt_id"] == .string(id))
            #expect(state.queue.records[id]?.clientID == other)
            #expect(state.queue.records[id]?.resubmitBody?["client_id"] == .string(other))
        }
        for (id, body) in bodies["a"] ?? [:] { #expect(body["client_id"] == .string(me), "\(id)") }
    }

    @Test func jobsGoToTheLeastLoadedAndAtMostOneWaitsBeyondTheRunningOne() {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        var sent: [String: [String]] = [:]
        for id in ["j1", "j2", "j3", "j4", "j5", "j6"] {
            for (server, ids) in posts(state.apply(job(id)), primary: "a") { sent[server, default: []] += ids }
        }
        // Alternating by load (ties to the first), two per server; the rest wait with us.
        #expect(sent == ["a": ["j1", "j3"], "b": ["j2", "j4"]])
        #expect(state.queue.waitingIDs == ["j5", "j6"])
        #expect(state.queue.prompts["j5"]?.status == .waiting)
        #expect(state.queue.prompts["j1"]?.server == "a")
        #expect(state.queue.prompts["j1"]?.sentTo == ["a"])
        // b's first job ends: the next waiting job goes to b.
        state.apply(ComfyAction(at: at(2), server: "b", .server(.executionStart(promptID: "j2", timestamp: nil))))
        let commands = state.apply(ComfyAction(at: at(3), server: "b", .server(.executionSuccess(promptID: "j2", timestamp: nil))))
        #expect(posts(commands, primary: "b") == ["b": ["j5"]])  // plain commands are for the action's server
        #expect(state.queue.waitingIDs == ["j6"])
    }

    @Test func aJobGoesOnlyWhereItsClassesAndModelsAre() {
        var noLoop = Self.full
        noLoop["TestProgressLoop"] = nil
        var onlyBase = Self.full
        onlyBase["TestLoadModel"] = ["ckpt_name": ["base.safetensors"]]
        var state = fleet(["a": noLoop, "b": onlyBase, "c": Self.full], order: ["a", "b", "c"])
        #expect(posts(state.apply(job("loop")), primary: "a") == ["b": ["loop"]])
        #expect(posts(state.apply(job("xl", model: "xl.safetensors")), primary: "a") == ["c": ["xl"]])
        // A class no server has: refused at once, with what each lacks.
        #expect(state.apply(job("nowhere", classType: "NoSuchNode")) == [])
        let rejection = state.queue.rejected.last
        #expect(rejection?.promptID == "nowhere")
        #expect(rejection?.type == "no_server_can_run")
        #expect(rejection?.message == "no server in the fleet can run it: a: no node class NoSuchNode; b: no node class NoSuchNode; c: no node class NoSuchNode")
        #expect(state.queue.prompts["nowhere"] == nil)
    }

    @Test func aPinnedJobWaitsForItsServerAndFrontJumpsOurQueue() {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        for id in ["a1", "a2"] { state.apply(job(id, on: ["a"])) }
        #expect(posts(state.apply(job("a3", on: ["a"])), primary: "a").isEmpty)  // a is full: it waits
        #expect(posts(state.apply(job("any")), primary: "a") == ["b": ["any"]])
        state.apply(job("urgent", on: ["a"]).withPriority(front: true))
        #expect(state.queue.waitingIDs == ["urgent", "a3"])
        #expect(state.apply(job("ghost", on: ["z"])) == [])
        #expect(state.queue.rejected.last?.message == "no server in the fleet can run it: no server named z in the fleet")
    }

    @Test func aLostServersJobsGoElsewhereUnderTheSameID() {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        state.apply(job("run"))  // → a
        state.apply(job("wait"))  // → b
        state.apply(job("wait2"))  // → a
        state.apply(ComfyAction(at: at(2), server: "a", .http(.promptAccepted(.init(promptID: "run", number: 1)))))
        state.apply(ComfyAction(at: at(2), server: "a", .server(.executionStart(promptID: "run", timestamp: nil))))
        state.apply(ComfyAction(at: at(3), server: "a", .connection(.closed(socket: 0, code: nil, reason: "gone", byClient: false))))
        // The policy allows two reruns of a job that had started (the library's default is 0).
        state.apply(ComfyAction(at: at(3), .fleet(.policy(maxWaitingPerServer: 1, rerunLimit: 2))))
        let before = state
        let lostAction = ComfyAction(at: at(33), server: "a", .connection(.gone(reason: "offline for 30 s")))
        let commands = state.apply(lostAction)
        #expect(state.server(named: "a")?.status == .lost)
        // Told as moved off a lost server, not as forgotten by a restarted one.
        var events = ClientEvents()
        let told = events.derive(Change(action: lostAction, old: before, new: state, commands: commands))
        #expect(told.filter { if case .rerouted = $0 { true } else { false } } == [.rerouted(promptID: "run", from: "a"), .rerouted(promptID: "wait2", from: "a")])
        #expect(!told.contains { if case .resubmitted = $0 { true } else { false } })
        // b holds one already: one more fits there; the other waits with us.
        #expect(posts(commands, primary: "a") == ["b": ["run"]])
        #expect(state.queue.waitingIDs == ["wait2"])
        #expect(state.queue.prompts["run"]?.sentTo == ["a", "b"])
        #expect(state.queue.prompts["run"]?.reruns == 1)
        #expect(state.queue.prompts["run"]?.resubmitted == 1)
    }

    @Test func aLostServerThatComesBackWithTheJobFinishedWinsAndTheCopyIsCancelled() {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        state.apply(ComfyAction(at: at(0.5), .fleet(.policy(maxWaitingPerServer: 1, rerunLimit: 2))))
        state.apply(job("j"))  // → a
        state.apply(ComfyAction(at: at(2), server: "a", .http(.promptAccepted(.init(promptID: "j", number: 1)))))
        state.apply(ComfyAction(at: at(2), server: "a", .server(.executionStart(promptID: "j", timestamp: nil))))
        state.apply(ComfyAction(at: at(3), server: "a", .connection(.closed(socket: 0, code: nil, reason: "gone", byClient: false))))
        state.apply(ComfyAction(at: at(33), server: "a", .connection(.gone(reason: "offline")))) // → b
        state.apply(ComfyAction(at: at(34), server: "b", .http(.promptAccepted(.init(promptID: "j", number: 7)))))
        state.apply(ComfyAction(at: at(34), server: "b", .server(.status(.init(queueRemaining: 2)))))
        // a comes back; its history says it finished there.
        state.apply(ComfyAction(at: at(40), server: "a", .connection(.opened(socket: 5, path: "/ws", clientID: me))))
        #expect(state.server(named: "a")?.status == .active)
        let entry = HistoryEntry(promptID: "j", number: 1, clientID: me, nodeCount: 2, outcome: .success, completed: true,
                                 outputs: [JSONField("9", .object([]))], failure: nil, cachedNodes: [], startedMs: nil, endedMs: nil)
        let commands = state.apply(ComfyAction(at: at(41), server: "a", .http(.resynced(
            queue: .init(running: [], pending: []), history: [ResyncedHistory(promptID: "j", entries: [entry])]))))
        #expect(state.queue.prompts["j"]?.status == .succeeded)
        #expect(state.queue.prompts["j"]?.server == "a")
        #expect(commands.contains(.on(server: "b", .deleteFromQueue(["j"]))))
        // b's late word on it changes nothing.
        state.apply(ComfyAction(at: at(42), server: "b", .server(.executionStart(promptID: "j", timestamp: nil))))
        #expect(state.queue.prompts["j"]?.status == .succeeded)
    }

    /// A resync's lookups are asked when it starts; its answers can come after the server
    /// was lost and its jobs went elsewhere. A job that is no longer on that server is not
    /// judged by them: neither "forgotten" (sent there again while the other server has it)
    /// nor "never reached" (back to our queue while the other server has it).
    @Test func aResyncAnsweredAfterTheJobMovedOnLeavesItWhereItIs() {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        state.apply(ComfyAction(at: at(0.5), .fleet(.policy(maxWaitingPerServer: 1, rerunLimit: 2))))
        state.apply(job("ran"))  // → a
        state.apply(job("sent"))  // → b
        state.apply(job("held"))  // → a, its POST unanswered
        state.apply(ComfyAction(at: at(2), server: "a", .http(.promptAccepted(.init(promptID: "ran", number: 1)))))
        state.apply(ComfyAction(at: at(2), server: "a", .server(.executionStart(promptID: "ran", timestamp: nil))))
        state.apply(ComfyAction(at: at(3), server: "a", .connection(.closed(socket: 0, code: nil, reason: "gone", byClient: false))))
        let moved = state.apply(ComfyAction(at: at(9), server: "a", .connection(.breaker(state: .open, failures: 5, openUntil: at(69)))))
        #expect(posts(moved, primary: "a") == ["b": ["ran"]])
        state.apply(ComfyAction(at: at(10), server: "b", .http(.promptAccepted(.init(promptID: "ran", number: 7)))))
        let before = state.queue.prompts
        #expect(before["ran"]?.server == "b")
        #expect(before["held"]?.status == .waiting)
        // a's resync, asked before it was lost, about the jobs it had then: it has neither.
        let lookups = ["ran", "held"].map { ResyncedHistory(promptID: $0, entries: []) }
        let commands = state.apply(ComfyAction(at: at(11), server: "a", .http(.resynced(queue: .init(running: [], pending: []), history: lookups))))
        #expect(posts(commands, primary: "a").isEmpty)
        #expect(state.queue.prompts["ran"] == before["ran"])
        #expect(state.queue.prompts["held"] == before["held"])
    }

    @Test func aRefusalForAMissingModelExcludesThatServerOnlyForThatJob() {
        var state = AppState(servers: ["a", "b"])
        for (i, name) in ["a", "b"].enumerated() {
            state.apply(ComfyAction(at: at(0), server: name, .connection(.opened(socket: i, path: "/ws", clientID: me))))
            state.apply(ComfyAction(at: at(0.1), server: name, .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        }
        // Catalogues not known yet: trusted. The job goes to a, which lacks the model.
        #expect(posts(state.apply(job("m", model: "xl.safetensors")), primary: "a") == ["a": ["m"]])
        let refusal = PromptRejected(
            promptID: "m", status: 400, type: "prompt_outputs_failed_validation", message: "Prompt outputs failed validation",
            nodeErrors: [NodeError(nodeID: "3", classType: "TestLoadModel", errors: [.init(type: "value_not_in_list", message: "Value not in list", inputName: "ckpt_name")])])
        let commands = state.apply(ComfyAction(at: at(2), server: "a", .http(.promptRejected(refusal))))
        #expect(posts(commands, primary: "a") == ["b": ["m"]])  // addressed to b
        #expect(state.queue.prompts["m"]?.excluded == ["a"])
        #expect(state.queue.rejected.isEmpty)
        // A workflow wrong everywhere is refused as it is.
        state.apply(job("bad"))
        let wrong = PromptRejected(promptID: "bad", status: 400, type: "prompt_no_outputs", message: "Prompt has no outputs")
        state.apply(ComfyAction(at: at(3), server: "a", .http(.promptRejected(wrong))))
        #expect(state.queue.rejected.map(\.type) == ["prompt_no_outputs"])
        #expect(state.queue.prompts["bad"] == nil)
    }

    @Test func anOpenBreakerLosesTheServer() {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        state.apply(job("j"))  // → a
        state.apply(ComfyAction(at: at(2), server: "a", .connection(.closed(socket: 0, code: nil, reason: "gone", byClient: false))))
        let commands = state.apply(ComfyAction(at: at(9), server: "a", .connection(.breaker(state: .open, failures: 5, openUntil: at(69)))))
        #expect(state.server(named: "a")?.status == .lost)
        #expect(posts(commands, primary: "a") == ["b": ["j"]])
    }

    /// An editor workflow is converted by the client of the server it goes to; one that
    /// server cannot convert (values saved by another version of a node) is refused like a
    /// missing class: another server gets it, and when none can, it is refused at once.
    @Test func aJobAServerCannotConvertGoesToAnotherAndIsRefusedWhenNoneCan() {
        var state = fleet(["a": Self.full, "b": Self.full], order: ["a", "b"])
        #expect(posts(state.apply(job("e")), primary: "a") == ["a": ["e"]])
        let failure = EditorJob.Failure("values do not fit", nodeID: "2", classType: "TestProgressLoop")
        let commands = state.apply(ComfyAction(at: at(2), server: "a", .http(.promptRejected(failure.rejection(promptID: "e", server: "a")))))
        #expect(posts(commands, primary: "a") == ["b": ["e"]])
        #expect(state.queue.prompts["e"]?.excluded == ["a"])
        state.apply(ComfyAction(at: at(3), server: "b", .http(.promptRejected(failure.rejection(promptID: "e", server: "b")))))
        #expect(state.queue.prompts["e"] == nil)
        #expect(state.queue.rejected.map(\.type) == ["no_server_can_run"])
        #expect(
            state.queue.rejected.first?.message
                == "no server in the fleet can run it: a: refused it (conversion_failed: cannot convert the workflow for a: values do not fit); b: refused it (conversion_failed: cannot convert the workflow for b: values do not fit)")
    }

    @Test func routingTenThousandWaitingJobsLooksAtFewOfThem() {
        // No assertion on time (benchmarks measure it): only that a full fleet keeps them all waiting, in order.
        var state = fleet(["a": Self.full], order: ["a"])
        for i in 0..<2_000 { state.apply(job("j\(i)")) }
        #expect(state.queue.waitingIDs.count == 1_998)
        #expect(state.queue.waitingIDs.prefix(2) == ["j2", "j3"])
    }
}

extension ComfyAction {
    /// The same job submission with `--front`.
    func withPriority(front: Bool) -> ComfyAction {
        guard case .user(.submitJob(var job)) = event else { return self }
        job.priority = front ? -1 : 0
        return ComfyAction(at: at, server: server, .user(.submitJob(job)))
    }
}
