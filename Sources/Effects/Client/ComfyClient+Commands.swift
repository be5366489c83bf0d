import ComfyCore

/// Carries out the reducer's commands, one at a time in order, over HTTP.
extension ComfyClient {
    func runCommands() async {
        for await command in commands {
            await execute(command)
            queuedCommands -= 1
            if queuedCommands == 0 { resumeIdleWaiters() }
        }
    }

    func execute(_ command: Command) async {
        if let key = command.readKey { waitingReads.remove(key) }
        switch command {
        case .postPrompt(let id, let body):
            await submit(id, body: body)
        case .deleteFromQueue(let ids):
            await call(.deleteFromQueue(ids))
        case .clearQueue:
            await call(.clearQueue)
        case .interrupt(let id):
            await call(.interrupt(promptID: id))
        case .fetchQueue:
            // Spaced: on a busy shared server every queue change by another client asks
            // for the queue; a few reads a second are plenty to follow them.
            if let last = lastQueueRead, now - last < configuration.followUpInterval.seconds {
                guard await sleep(for: .milliseconds(Int((configuration.followUpInterval.seconds - (now - last)) * 1000))) else { return }
            }
            lastQueueRead = now
            await call(.queue)
        case .fetchHistory(let id):
            await call(.history(promptID: id))
        case .fetchRecentHistory(let n, let newer):
            let answer = await send(.recentHistory(maxItems: n)).result
            if case .history(nil, let entries) = answer {
                dispatch(.http(.recentHistory(newerThan: newer, entries: entries)))
            } else {
                dispatch(.http(answer))
            }
        case .resync:
            await runResync()
        case .fetchCapabilities:
            await fetchCapabilities()
        case .on(_, let command):
            await execute(command)  // addressed to this server by name
        }
    }

    func call(_ request: APIRequest) async {
        let exchange = await send(request)
        dispatch(.http(exchange.result))
    }

    /// An HTTP call, shown to the tap.
    func send(_ request: APIRequest) async -> HTTPExchange {
        let exchange = await http.send(request, timeout: configuration.requestTimeout)
        tapHTTP(exchange)
        return exchange
    }

    /// Submits under our own prompt id. A retry first asks the server whether the
    /// earlier POST got through, so a prompt is never enqueued twice.
    func submit(_ id: String, body original: JSONValue) async {
        await beforeSend?(id)
        var body = original
        if let job = EditorJob(body: original) {
            guard let converted = await convert(job, body: original, promptID: id) else { return }
            body = converted
        }
        if posted.contains(id), let found = await serverHolds(id) {
            dispatch(.http(found))
            return
        }
        posted.insert(id)
        let exchange = await send(.submit(body: body))
        guard let status = exchange.status else {
            dispatch(.http(.submitFailed(promptID: id, body: original, message: exchange.failure?.description ?? "no answer")))
            return
        }
        // A 5xx says the server (or a proxy in front of it) failed, not whether the prompt
        // was queued: a gateway timeout can come after ComfyUI took it. Our own prompt id
        // lets us ask; only if the server does not hold it is it refused.
        if status >= 500, let found = await serverHolds(id) {
            dispatch(.http(found))
            return
        }
        if isTransient(status) {
            // "Not now" rather than "not this prompt": it waits in the outbox for the next
            // resync, whose check keeps it from being enqueued twice.
            let message = "HTTP \(status): the server or a proxy is not taking prompts now"
            dispatch(.http(.submitFailed(promptID: id, body: original, message: message)))
            scheduleRetry()
            return
        }
        dispatch(.http(exchange.result))
    }

    /// A job in the editor's format as this server is sent it: converted with this
    /// server's catalogue (read now if it was not yet), the values chosen at submission laid
    /// over it. A job this server cannot convert (it lacks a class, or the values do not fit
    /// its version of a node) is refused as the server refuses a prompt it lacks something
    /// for: in a fleet it goes to another server; alone, it is rejected. Nil then.
    func convert(_ job: EditorJob, body: JSONValue, promptID id: String) async -> JSONValue? {
        if store.state.server(for: configuration.name).capabilities?.catalog == nil { await fetchCapabilities() }
        let name = configuration.name
        guard let catalog = store.state.server(for: name).capabilities?.catalog else {
            let failure = EditorJob.Failure(
                "its node catalogue (GET /object_info) could not be read, and a workflow in the editor's format is converted with it")
            dispatch(.http(.promptRejected(failure.rejection(promptID: id, server: name))))
            return nil
        }
        do {
            return EditorJob.body(body, sending: try job.prompt(for: catalog))
        } catch {
            dispatch(.http(.promptRejected(error.rejection(promptID: id, server: name))))
            return nil
        }
    }

    /// The answer (queue or history) that shows the server holds prompt `id`, if it does.
    func serverHolds(_ id: String) async -> HTTPResult? {
        let queue = await send(.queue)
        if case .queueSnapshot(let snapshot) = queue.result, snapshot.lists(id) { return queue.result }
        let history = await send(.history(promptID: id))
        if case .history(_, let entries) = history.result, !entries.isEmpty { return history.result }
        return nil
    }

    /// The socket may stay up while HTTP says "not now" (a proxy), and the outbox goes out
    /// only after a resync: ask for one after a backoff step, once at a time.
    func scheduleRetry() {
        guard !retryScheduled else { return }
        retryScheduled = true
        let delay = configuration.backoff.delay(failures: 2, unit: random())
        Task {
            guard await self.sleep(for: delay) else { return }
            self.retryDue()
        }
    }

    func retryDue() {
        retryScheduled = false
        if !stopping, store.state.server(for: configuration.name).connection.isOnline { dispatch(.user(.resync)) }
    }

    /// Statuses that say "not now" rather than "not this prompt": a gateway timeout or
    /// overload, and a refusal when refusals are waited out (`onRefusal = .coolDown`).
    func isTransient(_ status: Int) -> Bool {
        switch status {
        case 408, 425, 429, 502, 503, 504: true
        case 401, 403: configuration.onRefusal == .coolDown
        default: false
        }
    }

    /// From now on incoming frames wait for the resync.
    func beginResync() {
        guard held == nil else { return }
        held = []
        dispatch(.connection(.resyncStarted))
    }

    /// `GET /queue` plus `GET /history/{id}` for every unfinished prompt, applied as one
    /// action; then the frames that arrived meanwhile, in order.
    func runResync() async {
        beginResync()
        let ids = store.state.queue.unfinishedIDs(on: store.state.server(for: configuration.name).name)
        let queue = await send(.queue)
        var result: HTTPResult?
        var findings: ResyncFindings?
        if case .queueSnapshot(let snapshot) = queue.result {
            dispatch(.connection(.probed(rttMs: queue.milliseconds)))
            var histories: [ResyncedHistory] = []
            var failed: HTTPResult?
            await withTaskGroup(of: (String, HTTPExchange).self) { group in
                var next = ids.makeIterator()
                // At most eight lookups at a time: a long list must not flood the server.
                for _ in 0..<8 {
                    guard let id = next.next() else { break }
                    group.addTask { await (id, self.http.send(.history(promptID: id), timeout: self.configuration.requestTimeout)) }
                }
                for await (id, exchange) in group {
                    tapHTTP(exchange)
                    let answer = exchange.result
                    if case .history(_, let entries) = answer {
                        histories.append(ResyncedHistory(promptID: id, entries: entries))
                    } else {
                        failed = answer
                    }
                    if let id = next.next() {
                        group.addTask { await (id, self.http.send(.history(promptID: id), timeout: self.configuration.requestTimeout)) }
                    }
                }
            }
            if let failed {
                result = failed
            } else {
                let order = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
                histories.sort { order[$0.promptID]! < order[$1.promptID]! }
                let before = store.state
                dispatch(.http(.resynced(queue: snapshot, history: histories)))
                findings = ResyncFindings(snapshot: snapshot, old: before, new: store.state)
            }
        } else {
            result = queue.result
        }
        if let result {
            // The server did not answer: report it and reconnect, which resyncs again.
            dispatch(.http(result))
            if let current {
                clientCloseReason = "resync failed; reconnecting"
                await current.channel.close(code: 1000, reason: "resync failed")
            }
        }
        let waiting = held ?? []
        held = nil
        for (message, at) in waiting { apply(message, at: at) }
        resumeResyncWaiters(findings)
    }

    func resumeResyncWaiters(_ findings: ResyncFindings?) {
        let waiters = resyncWaiters
        resyncWaiters = []
        for waiter in waiters { waiter.resume(returning: findings) }
    }
}

extension Command {
    /// A key for reads that may be merged (asked again before they went out).
    var readKey: String? {
        switch self {
        case .fetchQueue: "queue"
        case .fetchHistory(let id): "history " + id
        // Its watermark is part of it: one waiting with an older watermark (or none) would
        // record less than the later one asks for.
        case .fetchRecentHistory(let n, let newer): "recent history \(n) \(newer.map { "\($0)" } ?? "-")"
        default: nil
        }
    }
}
