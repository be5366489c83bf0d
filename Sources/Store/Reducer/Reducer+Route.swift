/// Routing: our queue's jobs go to servers that can run them, the least loaded first,
/// each server holding at most `maxWaitingPerServer` of them beyond the one it runs (the
/// rest wait here, so a server that dies loses only what it held).
///
/// Pure, and run after every action; it returns at once unless a usable server has room.
extension AppState {
    mutating func route(_ ctx: inout ReduceContext) {
        guard queue.hasWaiting else { return }
        let limit = 1 + queue.maxWaitingPerServer
        // Servers are read field by field: handing each server's state whole to `map`,
        // `filter` and `allSatisfy` copied all 32 of a fleet three times per action (a
        // large struct), a third of a progress tick's dispatch with jobs waiting.
        var loads = servers.indices.map { load(at: $0) }
        var room = servers.indices.filter { usable(at: $0) && loads[$0] < limit }.count
        // Jobs nobody may ever run are refused when they come (or when a catalogue changes):
        // the others waiting are not looked at again while no server has room, so a queue
        // of 10 000 costs nothing per frame.
        var toCheck: Set<String> = []
        if !queue.unplaced.isEmpty || queue.recheckWaiting {
            let refusable = servers.indices.allSatisfy { servers[$0].capabilities != nil }
            toCheck = refusable ? queue.unplaced : []
            if refusable, queue.recheckWaiting { toCheck = Set(queue.waitingIDs) }
            queue.unplaced = []
            queue.recheckWaiting = false
        }
        guard room > 0 || !toCheck.isEmpty else { return }
        // Our queue in order, read a few at a time (each read starts after the last job
        // looked at, so jobs sent or refused meanwhile are no trouble): only while a server
        // has room; the jobs left to check after that are looked at directly.
        var after: QueueState.WaitingKey?
        scan: while room > 0 {
            let batch = queue.waitingKeys(after: after, limit: 16)
            guard !batch.isEmpty else { break }
            for key in batch {
                guard room > 0 else { break scan }
                after = key
                toCheck.remove(key.id)
                place(key.id, loads: &loads, room: &room, limit: limit, &ctx)
            }
        }
        // In queue order too, so refusals are logged as the jobs stand in our queue.
        let rest = toCheck.compactMap { queue.records[$0] }.filter { $0.status == .waiting }.map(QueueState.WaitingKey.init).sorted()
        for key in rest where queue.records[key.id]?.status == .waiting {
            place(key.id, loads: &loads, room: &room, limit: limit, &ctx)
        }
    }

    /// Sends job `id` where it can go now, leaves it waiting, or refuses it.
    private mutating func place(_ id: String, loads: inout [Int], room: inout Int, limit: Int, _ ctx: inout ReduceContext) {
        guard let record = queue.records[id], let body = record.resubmitBody else { return }
        let graph = body["prompt"] ?? .object([])
        switch placement(of: record, graph: graph, loads: loads, limit: limit) {
        case .server(let index):
            send(id, to: index, &ctx)
            loads[index] += 1
            if loads[index] >= limit { room -= 1 }
        case .wait:
            break
        case .nowhere(let reasons, let nodes):
            reject(id, reasons: reasons, nodes: nodes, at: ctx.at)
        }
    }

    /// How many prompts a server holds as far as we know: its own count, or what we know
    /// is there (ours sent but not yet counted included), whichever is more.
    func load(_ server: ServerState) -> Int {
        max(server.remaining ?? 0, queue.heldOn(server.name))
    }

    /// `load` of the server at `index`, read in place.
    func load(at index: Int) -> Int {
        max(servers[index].remaining ?? 0, queue.heldOn(servers[index].name))
    }

    /// `ServerState.isUsable` of the server at `index`, read field by field in place.
    func usable(at index: Int) -> Bool {
        servers[index].status == .active && servers[index].connection.phase == .connected && !servers[index].connection.resyncing
            && servers[index].connection.resyncedAt != nil
    }

    enum Placement {
        case server(Int)
        case wait
        /// No server can run it: what each lacks (or why it may not go there), and the
        /// nodes that no server has what they need for.
        case nowhere([String], [NodeError] = [])
    }

    /// Where `record` goes now: the least loaded server that may take it and can run it, or
    /// wait (one that can is busy, offline, or not yet known), or nowhere.
    func placement(of record: PromptRecord, graph: JSONValue, loads: [Int], limit: Int) -> Placement {
        var best: Int?
        var mayWait = false
        var reasons: [String] = []
        var lacking: [String: NodeError] = [:]
        // What each catalogue lacks for this graph, by catalogue: servers of one version
        // share one catalogue object (`CapabilitiesCache`), so a fleet of 32 walks the
        // graph once, not 32 times (a third of a decision's time, measured). The object is
        // immutable, so its answer cannot change within the decision.
        var known: [(catalogue: ObjectIdentifier, missing: [ServerCapabilities.Missing])] = []
        func missing(_ capabilities: ServerCapabilities?) -> [ServerCapabilities.Missing] {
            guard let capabilities else { return [] }
            let id = ObjectIdentifier(capabilities)
            if let hit = known.first(where: { $0.catalogue == id }) { return hit.missing }
            let answer = capabilities.missing(for: graph)
            known.append((id, answer))
            return answer
        }
        // Each server read field by field in place (`enumerated()` copied each whole).
        for index in servers.indices {
            let name = servers[index].name
            if let pinned = record.pinned, !pinned.contains(name) { continue }
            if record.excluded.contains(name) {
                reasons.append(record.refusals.first { $0.hasPrefix(name + ":") } ?? "\(name): refused it")
                continue
            }
            // A catalogue not fetched yet: trusted (the server validates what it gets, and a
            // refusal for a missing class or model excludes it for this job).
            let missing = missing(servers[index].capabilities)
            guard missing.isEmpty else {
                reasons.append("\(name): no \(missing.map(\.description).joined(separator: ", "))")
                for gap in missing { lacking[gap.node, default: gap.nodeError].errors += gap.nodeError.errors }
                continue
            }
            guard usable(at: index), loads[index] < limit else {
                mayWait = true  // able, but busy, offline or lost for now
                continue
            }
            if best == nil || loads[index] < loads[best!] { best = index }
        }
        if let best { return .server(best) }
        if mayWait { return .wait }
        if let pinned = record.pinned, reasons.isEmpty {
            return .nowhere(["no server named \(pinned.joined(separator: " or ")) in the fleet"])
        }
        let nodes = lacking.keys.sorted(by: idOrder).map { key in
            var node = lacking[key]!
            node.errors = node.errors.reduce(into: []) { unique, problem in if !unique.contains(problem) { unique.append(problem) } }
            return node
        }
        return .nowhere(reasons.isEmpty ? ["the fleet has no server"] : reasons, nodes)
    }

    /// Sends a job to the server at `index` under its own prompt id.
    mutating func send(_ id: String, to index: Int, _ ctx: inout ReduceContext) {
        guard var record = queue.records[id], var body = record.resubmitBody else { return }
        let name = servers[index].name
        // The body says whose socket the server tells of the prompt: a job waits in our
        // queue before it has a server, so its body names the id of whichever socket it
        // was made for; a server sends a prompt's events only to the socket of that id, so
        // a job sent elsewhere under another server's id ran there untold (its end found
        // only from the queue, and a run that ended before the answer to its POST came was
        // never found at all).
        if let clientID = servers[index].connection.clientID, let readdressed = Self.addressed(body, to: clientID) {
            body = readdressed
            record.resubmitBody = body
            record.clientID = clientID
        }
        record.status = .queued
        record.server = name
        record.accepted = false
        record.number = nil
        record.sentTo.append(name)
        queue.setRecord(id, record)
        ctx.emit(.postPrompt(promptID: id, body: body), on: name)
        log.append(.info, .submit, "submitting prompt \(id.short) to \(name)", at: ctx.at)
    }

    /// `body` with its `client_id` set to `clientID`; nil when it says so already (or has none).
    static func addressed(_ body: JSONValue, to clientID: String) -> JSONValue? {
        guard case .object(var fields) = body, let at = fields.firstIndex(where: { $0.key == "client_id" }),
            fields[at].value != .string(clientID)
        else { return nil }
        fields[at].value = .string(clientID)
        return .object(fields)
    }

    /// No server can run it: it leaves our queue, refused at once with what each lacks.
    mutating func reject(_ id: String, reasons: [String], nodes: [NodeError] = [], at: Timestamp) {
        queue.setRecord(id, nil)
        let message = "no server in the fleet can run it: " + reasons.joined(separator: "; ")
        queue.rejected.append(.init(
            at: at, promptID: id, status: 0, type: "no_server_can_run", message: message, details: "", nodeErrors: nodes,
            extraInfo: .object(reasons.map { JSONField(String($0.prefix { $0 != ":" }), .string(String($0.drop { $0 != ":" }.dropFirst(2)))) })))
        if queue.rejected.count > QueueState.rejectedCapacity { queue.rejected.removeFirst() }
        log.append(.error, .promptRejected, "prompt \(id.short) rejected: \(message)", at: at)
    }
}
