/// The socket's life. Every (re)connect asks for a resync: the server never replays
/// what happened while we were away (protocol 1.2, 1.7).
extension AppState {
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
            if let clientID { connection.clientID = clientID }
            // Session id and negotiated flags belong to one socket (protocol 1.3).
            connection.sessionID = nil
            connection.clientFeatures = nil
            connection.serverFeatures = nil
            connection.previewMetadata = false
            connection.progressTextMetadata = false
            log.append(.info, "connection", "connected (socket \(socket), \(path))", at: at)
            if connection.connects > 1 { resync(&ctx) }

        case .closed(let socket, let code, let reason, let byClient):
            guard socket == connection.socket else {
                log.append(.info, "connection", "socket \(socket) closed (not the current one)", at: at)
                return
            }
            connection.phase = .disconnected(reason: reason)
            connection.socket = nil
            connection.lastClose = .init(code: code, reason: reason, byClient: byClient, at: at)
            let codeText = code.map { " (\($0))" } ?? ""
            log.append(byClient ? .info : .warning, "connection", "disconnected\(codeText): \(reason)", at: at)

        case .reconnectScheduled(let attempt, let next):
            connection.phase = .reconnecting(attempt: attempt, nextTryAt: next)
            log.append(.info, "connection", "reconnect attempt \(attempt) at \(next)", at: at)

        case .failed(let reason):
            connection.phase = .failed(reason: reason)
            log.append(.error, "connection", reason, at: at)

        case .sent(let socket, let type, let data):
            // Only the first text frame on a socket negotiates; Effects sends
            // feature_flags first, and a transcript records what was sent.
            if type == "feature_flags", socket == connection.socket, connection.clientFeatures == nil {
                connection.clientFeatures = data
            }
        }
    }

    /// Ask the server what we missed: the queue, and the history of every prompt we
    /// track that has not reached a final status.
    mutating func resync(_ ctx: inout ReduceContext) {
        ctx.emit(.fetchQueue)
        for id in queue.unfinishedIDs { ctx.emit(.fetchHistory(promptID: id)) }
    }
}
