@testable import ComfyCore
import Testing

/// Routing reads the queue through derived indexes — our queue in order, read a few at a
/// time (`waitingKeys`), and each server's count of jobs held (`heldOn`) — so that a fleet
/// with 10 000 jobs waiting pays for the few it places. Checked against the reducer with
/// every index dropped before each action (readers then scan the records): random fleet
/// histories — submissions (pinned, `--front`, a model one server lacks), servers accepting,
/// starting and ending jobs, status counts, a server dropping and coming back empty, lost
/// after its grace period, a policy change — must give the same commands and the same
/// state at every step; and after every step no job waits that a server could take.
@Suite struct FleetIndexTests {
    let me = "me0000000000000000000000000000001"
    let names = ["a", "b", "c"]

    func at(_ s: Double) -> Timestamp { Timestamp(seconds: s) }

    static let full: [String: [String: Set<String>]] = [
        "EmptyImage": [:], "TestProgressLoop": [:], "SaveImage": [:], "TestLoadModel": ["ckpt_name": ["base.safetensors", "xl.safetensors"]],
    ]

    func job(_ id: String, model: String?, front: Bool, on: [String]?, t: Double) -> ComfyAction {
        var graph: [JSONField] = [
            JSONField("1", .object(["class_type": "EmptyImage", "inputs": .object([])])),
            JSONField("2", .object(["class_type": "TestProgressLoop", "inputs": .object([JSONField("image", ["1", 0])])])),
        ]
        if let model {
            graph.append(JSONField("3", .object(["class_type": "TestLoadModel", "inputs": .object([JSONField("ckpt_name", .string(model))])])))
        }
        let body = JSONValue.object([JSONField("prompt", .object(graph)), JSONField("client_id", .string(me)), JSONField("prompt_id", .string(id))])
        let request = JobRequest(
            promptID: id, graph: SubmittedGraph(nodes: graph.map { ($0.key, $0.value["class_type"]?.stringValue ?? "") }, clientID: me),
            body: body, priority: front ? -1 : 0, pinned: on)
        return ComfyAction(at: at(t), .user(.submitJob(request)))
    }

    /// The next action of a random fleet history, from what `state` holds.
    func next(_ state: AppState, step: Int, t: Double, random: inout SplitMix64) -> ComfyAction {
        let server = names[Int(random.next() % 3)]
        let mine = state.queue.unfinishedIDs(on: server).compactMap { state.queue.prompts[$0] }
        let roll = random.next() % 100
        switch roll {
        case 0..<30:
            let model: String? = [nil, nil, "base.safetensors", "xl.safetensors"][Int(random.next() % 4)]
            let pin: [String]? = random.next() % 5 < 2 ? [names[Int(random.next() % 3)]] : nil
            return job("j\(step)", model: model, front: random.next() % 10 == 0, on: pin, t: t)
        case 30..<70:
            // The server moves one of ours on: accepts it, starts it, or ends it.
            if let record = mine.first(where: { $0.status == .running }), roll >= 50 {
                let ok = random.next() % 5 != 0
                return ComfyAction(at: at(t), server: server, ok
                    ? .server(.executionSuccess(promptID: record.id, timestamp: nil))
                    : .server(.executionError(.init(promptID: record.id, nodeID: "2", nodeType: "TestProgressLoop", exceptionMessage: "boom"))))
            }
            if let record = mine.first(where: { $0.status == .queued && !$0.accepted }) {
                return ComfyAction(at: at(t), server: server, .http(.promptAccepted(.init(promptID: record.id, number: Double(step)))))
            }
            if !mine.contains(where: { $0.status == .running }), let record = mine.first(where: { $0.status == .queued }) {
                return ComfyAction(at: at(t), server: server, .server(.executionStart(promptID: record.id, timestamp: nil)))
            }
            return ComfyAction(at: at(t), server: server, .server(.status(.init(queueRemaining: mine.count))))
        case 70..<78:
            return ComfyAction(at: at(t), server: server, .server(.status(.init(queueRemaining: Int(random.next() % 4)))))
        case 78..<84:
            return ComfyAction(at: at(t), server: server, .connection(.closed(socket: 1, code: nil, reason: "gone", byClient: false)))
        case 84..<90:
            // The grace period ends for a server that is offline (the live layer's timer).
            let offline = names.first { state.server(named: $0)?.connection.isOnline == false } ?? server
            return ComfyAction(at: at(t), server: offline, .connection(.gone(reason: "offline for 30 s")))
        case 90..<95:
            // An offline server reconnects, or one reconnected is resynced (it forgot its queue).
            if let back = names.first(where: { state.server(named: $0)?.connection.isOnline == false }) {
                return ComfyAction(at: at(t), server: back, .connection(.opened(socket: 1, path: "/ws", clientID: me)))
            }
            return ComfyAction(at: at(t), server: server, .http(.resynced(queue: .init(running: [], pending: []), history: [])))
        case 95..<98:
            let unsynced = names.first { state.server(named: $0)?.isUsable == false && state.server(named: $0)?.connection.phase == .connected }
            return ComfyAction(at: at(t), server: unsynced ?? server, .http(.resynced(queue: .init(running: [], pending: []), history: [])))
        default:
            return ComfyAction(at: at(t), .fleet(.policy(maxWaitingPerServer: Int(random.next() % 3), rerunLimit: 2)))
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6]) func theIndexesGiveWhatScanningTheRecordsGives(seed: Int) throws {
        var state = AppState(servers: names)
        // As `comfysh run` sets it: a lost server's running job is run again elsewhere.
        state.apply(ComfyAction(at: at(0), .fleet(.policy(maxWaitingPerServer: 1, rerunLimit: 2))))
        var lacking = Self.full
        lacking["TestLoadModel"] = ["ckpt_name": ["base.safetensors"]]
        for (i, name) in names.enumerated() {
            state.apply(ComfyAction(at: at(0), server: name, .connection(.opened(socket: 1, path: "/ws", clientID: me))))
            state.apply(ComfyAction(at: at(0.1), server: name, .http(.resynced(queue: .init(running: [], pending: []), history: []))))
            state.apply(ComfyAction(at: at(0.2), server: name, .http(.capabilities(ServerCapabilities(classes: i == 1 ? lacking : Self.full)))))
        }
        var random = SplitMix64(seed: UInt64(seed))
        var sent = 0
        var mostWaiting = 0
        var moved: Set<String> = []
        for step in 0..<600 {
            let action = next(state, step: step, t: 1 + Double(step), random: &random)
            var plain = state
            plain.queue.dropIndexes()
            let commands = state.apply(action)
            let plainCommands = plain.apply(action)
            try #require(commands == plainCommands, "step \(step): \(action.event.summary)")
            try #require(state == plain, "step \(step): \(action.event.summary)")
            #expect(state.queue.waitingIDs == plain.queue.waitingIDs)
            #expect(state.queue.runningIDs == plain.queue.runningIDs)
            #expect(state.queue.pendingIDs == plain.queue.pendingIDs)
            // Routing leaves no job waiting that a server could take by routing's own count:
            // a server's load as routing began (its `queue_remaining`, or ours held there,
            // whichever is more) plus one per job it sent there (none is skipped while a
            // server has room: our queue is read a few at a time).
            let primary = action.server ?? names[0]
            var posted: [String: Int] = [:]
            for command in commands { if case (let target, .postPrompt) = command.target(default: primary) { posted[target, default: 0] += 1 } }
            let loads = state.servers.map { server in
                let sent = posted[server.name] ?? 0
                return max(server.remaining ?? 0, state.queue.heldOn(server.name) - sent) + sent
            }
            for id in state.queue.waitingIDs {
                let record = try #require(state.queue.prompts[id])
                let graph = record.resubmitBody?["prompt"] ?? .object([])
                if case .server(let index) = state.placement(of: record, graph: graph, loads: loads, limit: 1 + state.queue.maxWaitingPerServer) {
                    Issue.record("step \(step) (\(action.event.summary)): \(id) waits while \(state.servers[index].name) could take it")
                    return
                }
            }
            // And the indexes agree with the records read directly.
            let waiting = state.queue.prompts.values.filter { $0.status == .waiting }.sorted { ($0.priority, $0.seen) < ($1.priority, $1.seen) }
            try #require(state.queue.waitingIDs == waiting.map(\.id), "step \(step)")
            for name in names {
                let held = state.queue.prompts.values.filter { $0.server == name && ($0.status == .queued || $0.status == .running) }.count
                try #require(state.queue.heldOn(name) == held, "step \(step): \(name)")
            }
            mostWaiting = max(mostWaiting, state.queue.waitingIDs.count)
            for record in state.queue.prompts.values where record.sentTo.count > 1 { moved.insert(record.id) }
            sent += commands.filter { if case .postPrompt = $0.target(default: "a").1 { true } else { false } }.count
        }
        // The histories do route: jobs went out, some more than once (a lost server's, a
        // forgotten one's), and our queue held many at times.
        #expect(sent >= 20 && mostWaiting >= 10 && !moved.isEmpty, "sent \(sent), most waiting \(mostWaiting), moved \(moved.count)")
    }

    /// Routing reads our queue a few jobs at a time: a long run of jobs at its head that
    /// must wait (pinned to a busy server) does not hide the one behind them that a free
    /// server can take, whether it joins now or a server frees up later.
    @Test func jobsPinnedToABusyServerDoNotHideTheOnesBehindThem() {
        var state = AppState(servers: ["a", "b"])
        for (i, name) in ["a", "b"].enumerated() {
            state.apply(ComfyAction(at: at(0), server: name, .connection(.opened(socket: i, path: "/ws", clientID: me))))
            state.apply(ComfyAction(at: at(0.1), server: name, .http(.resynced(queue: .init(running: [], pending: []), history: []))))
            state.apply(ComfyAction(at: at(0.2), server: name, .http(.capabilities(ServerCapabilities(classes: Self.full)))))
        }
        // b is offline for now; a takes two, then 40 more pinned to a wait.
        state.apply(ComfyAction(at: at(0.5), server: "b", .connection(.closed(socket: 1, code: nil, reason: "gone", byClient: false))))
        for i in 0..<42 { state.apply(job("pinned\(i)", model: nil, front: false, on: ["a"], t: 1)) }
        #expect(state.queue.waitingIDs.count == 40)
        // A free job behind them waits too (no server has room)…
        state.apply(job("free", model: nil, front: false, on: nil, t: 2))
        #expect(state.queue.waitingIDs.last == "free")
        // …and goes to b when b is back, past the 40 ahead of it.
        state.apply(ComfyAction(at: at(3), server: "b", .connection(.opened(socket: 2, path: "/ws", clientID: me))))
        let commands = state.apply(ComfyAction(at: at(3.1), server: "b", .http(.resynced(queue: .init(running: [], pending: []), history: []))))
        #expect(commands.compactMap { if case .postPrompt(let id, _) = $0 { id } else { nil } } == ["free"])
        #expect(state.queue.prompts["free"]?.server == "b")
        #expect(state.queue.waitingIDs.count == 40)
        // A second free job joins: it goes to b at once, past the 40 again.
        let next = state.apply(job("free2", model: nil, front: false, on: nil, t: 4))
        #expect(next == [.on(server: "b", .postPrompt(promptID: "free2", body: state.queue.prompts["free2"]!.resubmitBody!))])
    }
}
