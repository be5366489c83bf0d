import Logging
import NIOCore
import ComfyCore

/// The WebSocket side of `server.py`'s `websocket_handler`, and the socket faults.
extension SimulatorCore {
    /// A socket finished its upgrade: register it under `clientID` (or a made-up id),
    /// replacing any earlier registration without closing that socket, and send it the
    /// connect-time `status` (and `executing` when it owns the running prompt).
    func open(channel: any Channel, clientID: String?) -> (SocketConnection, AsyncStream<OutgoingFrame>) {
        let sid = clientID.flatMap { $0.isEmpty ? nil : $0 } ?? Identifiers.newClientID()
        let (stream, outbox) = AsyncStream.makeStream(of: OutgoingFrame.self)
        let socket = SocketConnection(id: nextSocketID, sid: sid, generation: generation, channel: channel, outbox: outbox)
        nextSocketID += 1
        sockets[socket.id] = socket
        registry[sid] = socket.id
        clientFlags[sid] = .emptyObject
        if faults.isStalled { socket.setReading(false) }

        push(.text(Self.message("status", .object(["status": statusInfo, "sid": .string(sid)]))), to: socket)
        if let run = current, run.clientID == sid, let node = run.lastNodeID {
            push(.text(Self.message("executing", .object(["node": .string(node)]))), to: socket)
        }
        logger.debug("socket opened", metadata: ["sid": "\(sid)", "socket": "\(socket.id)"])
        notifySocketCountWaiters()
        return (socket, stream)
    }

    /// The socket's handler ended. Without the #16010 emulation only its own
    /// registration is removed; with it, whatever is registered under its id goes.
    func closed(_ socket: SocketConnection) {
        sockets[socket.id] = nil
        socket.outbox.finish()
        if socket.generation == generation && (configuration.overlappingReconnectBug || registry[socket.sid] == socket.id) {
            registry[socket.sid] = nil
            clientFlags[socket.sid] = nil
        }
        logger.debug("socket closed", metadata: ["sid": "\(socket.sid)", "socket": "\(socket.id)"])
        notifySocketCountWaiters()
    }

    /// The client's first text frame, if it is `feature_flags`: remember its flags and
    /// answer with the server's (to whatever socket is registered under that id).
    func negotiate(_ flags: PyJSON, for socket: SocketConnection) {
        guard socket.generation == generation, registry[socket.sid] != nil else { return }
        clientFlags[socket.sid] = flags
        emit("feature_flags", ServerInfo.featureFlags, to: socket.sid)
    }

    /// Whether the socket registered under `sid` asked for previews with metadata.
    func negotiatedPreviewMetadata(_ sid: String?) -> Bool {
        guard let sid, registry[sid] != nil else { return false }
        return clientFlags[sid]?["supports_preview_metadata"] == .bool(true)
    }

    // MARK: Faults

    func dropAllSockets() {
        for socket in sockets.values { socket.channel.close(promise: nil) }
    }

    /// Drops every socket after the frames already queued for it (a server process
    /// that exits: what it wrote is on the wire, the rest never comes).
    func dropAllSocketsAfterQueuedFrames() {
        for socket in sockets.values { socket.outbox.yield(OutgoingFrame(kind: .drop, queuedAt: .now)) }
    }

    func closeAllSockets(code: UInt16) {
        for socket in sockets.values { socket.outbox.yield(OutgoingFrame(kind: .close(code), queuedAt: .now)) }
    }

    func setStalled(_ stalled: Bool) {
        faults.isStalled = stalled
        for socket in sockets.values { socket.setReading(!stalled) }
    }

    func sendRaw(_ frame: OutgoingFrame.Kind) {
        for id in sockets.keys.sorted() { push(frame, to: sockets[id]!) }
    }

    // MARK: Waiting for sockets

    var socketCount: Int { sockets.count }

    func waitForSocketCount(_ count: Int) async {
        guard sockets.count != count else { return }
        await withCheckedContinuation { socketCountWaiters.append((count, $0)) }
    }

    private func notifySocketCountWaiters() {
        let count = sockets.count
        let ready = socketCountWaiters.filter { $0.count == count }
        socketCountWaiters.removeAll { $0.count == count }
        for waiter in ready { waiter.continuation.resume() }
    }

    /// Resumes every waiter, whatever it waited for (the simulator is stopping).
    func releaseSocketCountWaiters() {
        for waiter in socketCountWaiters { waiter.continuation.resume() }
        socketCountWaiters.removeAll()
    }
}
