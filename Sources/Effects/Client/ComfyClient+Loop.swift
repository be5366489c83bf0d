import ComfyCore

/// The connect / reconnect loop and one connection's life.
extension ComfyClient {
    enum Outcome {
        /// The socket opened and later ended; `resynced`: a resync was applied on it (the
        /// server answered its queue and history).
        case ended(lasted: Double, code: Int?, byClient: Bool, resynced: Bool)
        /// It never opened.
        case failed(ConnectionProblem)
        /// The server refused us (401/403): do not retry.
        case refused(Int)
    }

    func runLoop() async {
        while !stopping, !Task.isCancelled {
            guard await breakerAllowsAttempt() else { continue }
            dispatch(.connection(.connecting(url: configuration.endpoint.description, attempt: failures)))
            let outcome = await connectOnce()
            if stopping { break }
            var delay = Duration.zero
            switch outcome {
            case .refused(let status):
                guard configuration.onRefusal == .coolDown else {
                    dispatch(.connection(.failed(reason: .credentialsRefused(status: status, retryAfterSeconds: nil))))
                    return
                }
                dispatch(.connection(.attemptFailed(
                    reason: .credentialsRefused(status: status, retryAfterSeconds: configuration.breaker.coolDown.seconds))))
                failures += 1
                breaker.trip(now: now.seconds)
            case .ended(let lasted, let code, let byClient, let resynced):
                // A clean close by the server after a healthy connection (a restart, a
                // proxy reload) comes back at once; a drop backs off. A connection that
                // ends within a second counts as a failure, so a server that accepts and
                // closes at once cannot cause a storm.
                let clean = byClient || ((code == 1000 || code == 1001) && lasted >= 1)
                // A connection that was resynced was a working one, however short: the
                // server answered its queue and history on it. It ends the
                // failures in a row. Counted as failures, the short connections of a
                // server whose sockets drop every second or so added up — the backoff
                // grew to seconds and the fifth opened the breaker, which declared the
                // server lost (for the 60 s cool-down) and sent the jobs it ran and held
                // to another server while it ran them too: completed twice (found by
                // `comfysh-bench chaos --fleet`). A server that accepts and drops at once
                // still backs off: the drop is a failure, after a success (at most the
                // first step of the backoff), and one that drops before the resync is
                // answered still counts every drop.
                if lasted >= 1 || resynced {
                    failures = 0
                    breaker.recordSuccess()
                }
                if !clean { delay = fail() }
            case .failed(let reason):
                dispatch(.connection(.attemptFailed(reason: reason)))
                delay = fail()
            }
            publishBreaker()
            if breaker.state == .open { continue }
            dispatch(.connection(.reconnectScheduled(attempt: failures, at: now + delay.seconds)))
            guard await sleep(for: delay) else { break }
        }
    }

    /// Records a failure; returns the backoff delay.
    func fail() -> Duration {
        failures += 1
        breaker.recordFailure(now: now.seconds)
        return configuration.backoff.delay(failures: failures, unit: random())
    }

    func publishBreaker() {
        let state = store.state.server(for: configuration.name).connection
        let until = breaker.openUntil.map { Timestamp(seconds: $0) }
        if state.breaker != breaker.state || state.breakerFailures != breaker.failures || state.breakerOpenUntil != until {
            dispatch(.connection(.breaker(state: breaker.state, failures: breaker.failures, openUntil: until)))
        }
    }

    /// While the breaker is open, waits out the cool-down; when half-open, probes
    /// `GET /system_stats`. Returns true when an attempt may be made now.
    func breakerAllowsAttempt() async -> Bool {
        if !breaker.allowsAttempt(now: now.seconds), let until = breaker.openUntil {
            publishBreaker()
            dispatch(.connection(.reconnectScheduled(attempt: failures, at: Timestamp(seconds: until))))
            _ = await sleep(for: .seconds(max(0, until - now.seconds)))
            return false
        }
        guard breaker.state == .halfOpen else { return true }
        publishBreaker()
        let probe = await http.send(.systemStats, timeout: configuration.connectTimeout)
        if let status = probe.status, (200..<300).contains(status) {
            dispatch(.connection(.probed(rttMs: probe.milliseconds)))
            dispatch(.http(probe.result))
            breaker.recordSuccess()
            publishBreaker()
            return true
        }
        breaker.recordFailure(now: now.seconds)
        publishBreaker()
        dispatch(.http(probe.result))
        return false
    }

    /// One connection, from dial to close.
    func connectOnce() async -> Outcome {
        socketNumber += 1
        let socket = socketNumber
        clientCloseReason = nil
        inboundFailure = nil
        let url = configuration.endpoint.webSocketURL(clientID: configuration.clientID)
        let options = SocketOptions(
            maxFrameSize: configuration.maxFrameSize, heartbeat: configuration.heartbeat,
            extraCAFile: configuration.extraCAFile)
        let timeout = configuration.connectTimeout
        let transport = transport
        do {
            // WSClient's connect has no timeout of its own: a server that accepts the TCP
            // connection but never answers the upgrade would hold it forever. The
            // watchdog (on real time: it bounds I/O, it is not a policy) gives up on an
            // attempt that has not opened within the connect timeout.
            let end: SocketEnd = try await withThrowingTaskGroup(of: SocketEnd?.self) { group in
                group.addTask {
                    try await transport.connect(url: url, headers: self.configuration.headers, options: options) { channel in
                        await self.opened(socket: socket, channel: channel)
                        await self.serve(socket: socket, channel: channel)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if await self.isOpen(socket) { return nil }
                    throw ConnectTimeout(seconds: timeout.seconds)
                }
                while let result = try await group.next() {
                    if let end = result {
                        group.cancelAll()
                        return end
                    }
                }
                throw CancellationError()
            }
            return ended(socket: socket, code: end.code, reason: end.reason)
        } catch let timedOut as ConnectTimeout {
            current = nil
            return .failed(.noUpgradeAnswer(seconds: timedOut.seconds))
        } catch {
            if store.state.server(for: configuration.name).connection.socket == socket {
                // The transport can end with the reader's error before `serve` noted it.
                return ended(socket: socket, code: nil, reason: nil, failure: inboundFailure ?? inboundProblem(error))
            }
            current = nil
            return await classifyConnectFailure(error)
        }
    }

    func isOpen(_ socket: Int) -> Bool { current?.socket == socket || store.state.server(for: configuration.name).connection.socket == socket }

    struct ConnectTimeout: Error {
        var seconds: Double
    }

    /// `reason` is the close frame's; `failure`, why the socket failed when no close frame came.
    func ended(socket: Int, code: Int?, reason: String?, failure: ConnectionProblem? = nil) -> Outcome {
        current = nil
        let state = store.state.server(for: configuration.name).connection
        let lasted = state.connectedAt.map { now - $0 } ?? 0
        let byClient = clientCloseReason != nil
        let problem: ConnectionProblem
        if let clientCloseReason {
            problem = .closedByClient(clientCloseReason)
        } else if let failure = inboundFailure ?? failure {
            problem = failure
        } else if let code {
            problem = .closedByServer(code: code, reason: reason)
        } else {
            // The transport cannot tell these apart: NIO answers a frame over the cap by
            // closing the socket (code 1009 to the server) before it reports the error, so
            // the inbound stream just ends, as it does for a dead peer or a reset.
            problem = .vanished(cap: capText)
        }
        if state.socket == socket {
            tap?(.close(t: now.seconds, socket: socket))
            dispatch(.connection(.closed(socket: socket, code: code, reason: problem, byClient: byClient)))
        }
        // `resyncedAt` is reset when a socket opens and set when its resync is applied.
        return .ended(lasted: lasted, code: code, byClient: byClient, resynced: state.resyncedAt != nil)
    }

    /// Tells a refusal (401/403: stop) from an unreachable server or a non-ComfyUI one.
    func classifyConnectFailure(_ error: any Error) async -> Outcome {
        guard isUpgradeRefusal(error) else { return .failed(classify(error)) }
        // The upgrade was answered but refused: ask over HTTP what the server says.
        let probe = await http.send(.queueLength, timeout: configuration.connectTimeout)
        if let status = probe.status, status == 401 || status == 403 { return .refused(status) }
        if let status = probe.status {
            dispatch(.http(probe.result))
            let comfy: Bool = if case .queueRemaining = probe.result { true } else { false }
            let path = String(configuration.endpoint.webSocketPath(clientID: "").prefix { $0 != "?" })
            return .failed(.upgradeRefused(path: path, probeStatus: status, answersAsComfyUI: comfy))
        }
        return .failed(classify(error))
    }

    /// The socket is open: announce our flags (the first frame, or they do not count),
    /// then hold incoming frames until the resync is applied.
    func opened(socket: Int, channel: any SocketChannel) async {
        current = (socket, channel)
        frameDecoder = StreamDecoder()  // what it remembers belongs to one socket
        let flags = JSONValue.object(configuration.features.sorted { $0.key < $1.key }.map { JSONField($0.key, .bool($0.value)) })
        try? await channel.send(text: JSONWriter.string(.object([JSONField("type", "feature_flags"), JSONField("data", flags)])))
        let path = configuration.endpoint.webSocketPath(clientID: configuration.clientID)
        tap?(.open(t: now.seconds, socket: socket, path: path))
        tap?(.text(t: now.seconds, socket: socket, incoming: false, text: JSONWriter.string(.object([JSONField("type", "feature_flags"), JSONField("data", flags)]))))
        beginResync()
        dispatch(.connection(.opened(socket: socket, path: path, clientID: configuration.clientID)))
        dispatch(.connection(.sent(socket: socket, type: "feature_flags", data: flags)))
    }

    /// Reads the socket until it ends, with the stall detector beside it.
    ///
    /// The read loop runs on the actor itself: iterating the stream with the actor's
    /// isolation hands each buffered frame over without leaving the actor, where a loop
    /// in a child task hopped onto it once per frame (measured: that hop was a third of
    /// the per-frame cost end to end, `comfysh-bench stream`). When the stall detector
    /// returns first, the loop stops at the next frame, as the child task did when cancelled.
    func serve(socket: Int, channel: any SocketChannel) async {
        let stalls = Task {
            await self.watchForStalls(socket: socket, channel: channel)
            self.stallWatchEnded(socket: socket)
        }
        do {
            for try await message in channel.inbound {
                if stoppedReading == socket { break }
                receive(message, socket: socket)
            }
        } catch {
            noteInboundFailure(error)
        }
        stalls.cancel()
        await stalls.value
    }

    func stallWatchEnded(socket: Int) {
        stoppedReading = socket
    }

    func noteInboundFailure(_ error: any Error) {
        inboundFailure = inboundProblem(error)
    }

    /// The frame cap for people: `64 MiB`, `1 KiB`, `1000 bytes`.
    var capText: String {
        let size = configuration.maxFrameSize
        if size % (1 << 20) == 0 { return "\(size >> 20) MiB" }
        if size % (1 << 10) == 0 { return "\(size >> 10) KiB" }
        return "\(size)-byte"
    }

    /// Why reading the socket failed. A frame over the cap shows up as NIO's
    /// `invalidFrameLength` (one frame) or WSClient's `messageTooLarge` (a fragmented message).
    func inboundProblem(_ error: any Error) -> ConnectionProblem {
        let text = String(describing: error)
        let tooLarge = ["TooLarge", "tooLarge", "too large", "invalidFrameLength"].contains { text.contains($0) }
        return tooLarge ? .frameTooLarge(cap: capText) : classify(error)
    }

    func receive(_ message: SocketMessage, socket: Int) {
        guard current?.socket == socket else { return }
        let at = now
        if let tap {
            switch message {
            case .text(let text): tap(.text(t: at.seconds, socket: socket, incoming: true, text: text))
            case .binary(let bytes): tap(.binary(t: at.seconds, socket: socket, bytes: bytes))
            }
        }
        if held != nil {
            held!.append((message, at))
            return
        }
        apply(message, at: at)
    }

    func apply(_ message: SocketMessage, at: Timestamp) {
        var action: ComfyAction
        switch message {
        case .text(let text):
            action = frameDecoder.decode(text: text, at: at)
        case .binary(let bytes):
            let layout: BinaryDecoder.ProgressTextLayout =
                store.state.server(for: configuration.name).connection.progressTextMetadata ? .withPromptID : .released
            action = BinaryDecoder.decode(bytes, at: at, layout: layout)
        }
        action.server = configuration.name
        issue(store.dispatch(action))
    }
}
