import ComfyCore

/// A pure fleet state for the routing figures: `servers` servers, each connected, resynced,
/// its catalogue known (one shared value, as `CapabilitiesCache` makes it for servers of one
/// version), each holding two jobs of ours (one running, one waiting there: the policy's
/// one beyond the running one), and `waiting` more jobs in our own queue — built through the
/// reducer, so it is a state the client can reach.
///
/// `cycle` is the steady state of a busy fleet: a server's running job succeeds (routing
/// sends it the next waiting job: the figure), the server accepts that job and starts the
/// one it held; a new job joins our queue, so it stays `waiting` long.
struct FleetState {
    static let clientID = "bench000000000000000000000000001"

    private(set) var state: AppState
    let names: [String]
    /// Per server: the job it runs and the one it holds.
    private var running: [String]
    private var held: [String]
    private var nextJob = 0
    private var number = 1.0
    private(set) var t = 1.0

    /// The catalogue every server has: the classes of `job`.
    static let catalogue = ServerCapabilities(classes: [
        "EmptyImage": [:], "TestProgressLoop": [:], "SaveImage": [:],
        "TestLoadModel": ["ckpt_name": ["base.safetensors", "xl.safetensors"]],
    ])

    init(servers: Int, waiting: Int) {
        names = (0..<servers).map { "gpu\($0)" }
        var initial = AppState(servers: names)
        var t = 0.0
        func apply(_ server: String?, _ event: Event) {
            t += 0.000_001
            _ = ComfyReducer.reduce(&initial, ComfyAction(at: Timestamp(seconds: t), server: server, event))
        }
        apply(nil, .fleet(.policy(maxWaitingPerServer: 1, rerunLimit: 2)))
        for (i, name) in names.enumerated() {
            apply(name, .connection(.opened(socket: i + 1, path: "/ws?clientId=\(Self.clientID)", clientID: Self.clientID)))
            apply(name, .http(.resynced(queue: QueueSnapshot(running: [], pending: []), history: [])))
            apply(name, .http(.capabilities(Self.catalogue)))
            apply(name, .server(.status(.init(queueRemaining: 0))))
        }
        state = initial
        running = Array(repeating: "", count: servers)
        held = Array(repeating: "", count: servers)
        self.t = t
        // Two per server (routed as they come: least loaded first), then the rest wait.
        for _ in 0..<(2 * servers + waiting) { _ = submit() }
        for (i, name) in names.enumerated() {
            let ids = state.queue.unfinishedIDs(on: name).sorted { (state.queue.prompts[$0]?.seen ?? 0) < (state.queue.prompts[$1]?.seen ?? 0) }
            precondition(ids.count == 2, "server \(name) holds \(ids.count) jobs")
            for id in ids { accept(id, on: name) }
            start(ids[0], on: name)
            running[i] = ids[0]
            held[i] = ids[1]
        }
        precondition(state.queue.waitingIDs.count == waiting)
    }

    static func promptID(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "f1ee0000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    /// A job's submission, as `ComfyFleet.submit` makes it: a three-node workflow.
    static func job(_ id: String, seed: Int) -> JobRequest {
        let graph: [JSONField] = [
            JSONField("1", .object(["class_type": "EmptyImage", "inputs": .object(["width": 64, "height": 64, "batch_size": 1, "color": 0])])),
            JSONField("2", .object(["class_type": "TestLoadModel", "inputs": .object(["image": ["1", 0], "ckpt_name": "base.safetensors"])])),
            JSONField("3", .object(["class_type": "TestProgressLoop", "inputs": .object([
                "image": ["2", 0], "steps": 10, "delay": 0.05, "preview": true, "preview_size": 64, "progress_text": false,
                "seed": .number(Double(seed)),
            ])])),
            JSONField("4", .object(["class_type": "SaveImage", "inputs": .object(["images": ["3", 0], "filename_prefix": "fleet"])])),
        ]
        let body = JSONValue.object([
            JSONField("prompt", .object(graph)), JSONField("client_id", .string(clientID)), JSONField("prompt_id", .string(id)),
        ])
        let nodes = graph.map { ($0.key, $0.value["class_type"]?.stringValue ?? "") }
        return JobRequest(promptID: id, graph: SubmittedGraph(nodes: nodes, clientID: clientID), body: body, label: "bench")
    }

    mutating func tick() -> Timestamp {
        t += 0.000_001
        return Timestamp(seconds: t)
    }

    /// A new job joins our queue (the router may send it at once). Returns its id.
    @discardableResult
    mutating func submit() -> String {
        nextJob += 1
        let id = Self.promptID(nextJob)
        _ = ComfyReducer.reduce(&state, ComfyAction(at: tick(), .user(.submitJob(Self.job(id, seed: nextJob)))))
        return id
    }

    mutating func accept(_ id: String, on server: String) {
        number += 1
        _ = ComfyReducer.reduce(&state, ComfyAction(at: tick(), server: server, .http(.promptAccepted(.init(promptID: id, number: number)))))
    }

    mutating func start(_ id: String, on server: String) {
        _ = ComfyReducer.reduce(&state, ComfyAction(at: tick(), server: server, .server(.executionStart(promptID: id, timestamp: nil))))
    }

    /// The action the figure times: server `index`'s running job succeeds.
    mutating func completion(_ index: Int) -> ComfyAction {
        ComfyAction(at: tick(), server: names[index], .server(.executionSuccess(promptID: running[index], timestamp: nil)))
    }

    /// A progress tick of server `index`'s running job (the dispatch figure's action).
    mutating func progress(_ index: Int, value: Int) -> ComfyAction {
        ComfyAction(at: tick(), server: names[index], .server(.progress(.init(value: Double(value), max: 1000, promptID: running[index], node: "3"))))
    }

    /// What follows `completion(index)` (which routed `sent` to that server): the server
    /// accepts it and starts the job it held; a new job joins our queue. The actions, for
    /// the caller to apply to its state or store.
    mutating func settle(_ index: Int, sent: String) -> [ComfyAction] {
        let name = names[index]
        number += 1
        nextJob += 1
        let actions = [
            ComfyAction(at: tick(), server: name, .http(.promptAccepted(.init(promptID: sent, number: number)))),
            ComfyAction(at: tick(), server: name, .server(.executionStart(promptID: held[index], timestamp: nil))),
            ComfyAction(at: tick(), .user(.submitJob(Self.job(Self.promptID(nextJob), seed: nextJob)))),
        ]
        running[index] = held[index]
        held[index] = sent
        return actions
    }

    /// Applies `action` to this value's own state (uniquely referenced: what a reducer
    /// given a state nobody else holds does) and returns the commands.
    mutating func reduce(_ action: ComfyAction) -> [Command] {
        ComfyReducer.reduce(&state, action)
    }

    /// The prompt ids a reduction's commands post, by server.
    static func posts(_ commands: [Command], default server: String) -> [(server: String, id: String)] {
        commands.compactMap { command in
            let (target, plain) = command.target(default: server)
            if case .postPrompt(let id, _) = plain { return (target, id) }
            return nil
        }
    }
}
