/// The socket's life. Every connect asks for a resync: the server never replays what
/// happened while we were away (protocol 1.2, 1.7), and the outbox waits for it.
extension ServerScope {
    mutating func apply(_ event: ConnectionEvent, _ ctx: inout ReduceContext) {
        let at = ctx.at
        switch event {
        case .connecting(let url, let attempt):
            connection.url = url
            connection.phase = .connecting(attempt: attempt)

        case .opened(let socket, let path, let clientID):
            connection.phase = .connected
            connection.socket = socket
            connection.connects += 1
            connection.connectedAt = at
            connection.lastAttemptFailure = nil
            connection.resyncedAt = nil
            if let clientID { connection.clientID = clientID }
            // Session id and negotiated flags belong to one socket (protocol 1.3).
            connection.sessionID = nil
            connection.clientFeatures = nil
            connection.serverFeatures = nil
            connection.previewMetadata = false
            connection.progressTextMetadata = false
            connection.stalledSince = nil
            let again = connection.connects > 1 ? " again" : ""
            log.append(.info, .connection, "connected\(again) (socket \(socket), \(path))", at: at)
            if server.status == .lost {
                server.status = .active
                log.append(.info, .fleet, "server \(name) is back", at: at)
            }
            ctx.emit(.resync)
            // What it can run, once per connection (the live layer answers from its cache
            // for a server version it has seen).
            ctx.emit(.fetchCapabilities)

        case .closed(let socket, let code, let reason, let byClient):
            guard socket == connection.socket else {
                log.append(.info, .connection, "socket \(socket) closed (not the current one)", at: at)
                return
            }
            connection.phase = .disconnected(reason: reason)
            connection.socket = nil
            connection.resyncing = false
            connection.resyncedAt = nil
            connection.stalledSince = nil
            connection.lastClose = .init(code: code, problem: reason, byClient: byClient, at: at)
            let codeText = code.map { " (\($0))" } ?? ""
            log.append(byClient ? .info : .warning, .connection, "disconnected\(codeText): \(reason)", at: at)

        case .policy(let resubmitLimit):
            queue.resubmitLimit = resubmitLimit
        case .attemptFailed(let reason):
            connection.phase = .disconnected(reason: reason)
            connection.lastAttemptFailure = reason
            log.append(.warning, .connection, "connection attempt failed: \(reason)", at: at)

        case .reconnectScheduled(let attempt, let next):
            connection.phase = .reconnecting(attempt: attempt, nextTryAt: next)
            connection.reconnects += 1
            log.append(.info, .connection, "reconnecting (attempt \(attempt)) at \(next)", at: at)

        case .failed(let reason):
            connection.phase = .failed(reason: reason)
            log.append(.error, .connection, reason.description, at: at)

        case .sent(let socket, let type, let data):
            // Only the first text frame on a socket negotiates; Effects sends
            // feature_flags first, and a transcript records what was sent.
            if type == "feature_flags", socket == connection.socket, connection.clientFeatures == nil {
                connection.clientFeatures = data
            }

        case .breaker(let state, let failures, let openUntil):
            if connection.breaker != state {
                let until = openUntil.map { " until \($0)" } ?? ""
                log.append(state == .open ? .warning : .info, .connection, "circuit breaker \(state.rawValue)\(until) after \(failures) failure(s)", at: at)
            }
            connection.breaker = state
            connection.breakerFailures = failures
            connection.breakerOpenUntil = openUntil
            if state == .open, server.status == .active { release(because: "its circuit breaker opened after \(failures) failures", &ctx) }

        case .probed(let rtt):
            connection.rttMs = rtt

        case .stalled(let since):
            guard connection.stalledSince == nil else { return }
            connection.stalledSince = since
            log.append(.warning, .connection, "stalled: a prompt runs but nothing has arrived since \(since); probing", at: at)

        case .resyncStarted:
            connection.resyncing = true

        case .gone(let reason):
            guard server.status == .active, !connection.isOnline else { return }
            release(because: reason, &ctx)
        }
    }
}
