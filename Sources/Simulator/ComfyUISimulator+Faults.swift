/// Faults, on command. Each acts on every open WebSocket (registered or not) and stays
/// in effect until changed; `restart()` keeps them.
extension ComfyUISimulator {
    /// Closes every WebSocket abruptly: the TCP connection closes, no close frame is
    /// sent. Clients see their inbound end with no close frame.
    public func dropAllConnections() async {
        await core.dropAllSockets()
    }

    /// Sends every WebSocket a close frame with `code` (after the frames already queued
    /// for it) and completes the close handshake.
    public func closeAllConnections(code: UInt16 = 1001) async {
        await core.closeAllSockets(code: code)
    }

    /// Stalls the server: it stops sending and stops reading on every socket (so client
    /// pings go unanswered) and keeps the sockets open; sockets that connect meanwhile
    /// stall too. The worker keeps running; its messages wait, as bytes wait in a stuck
    /// TCP connection. HTTP keeps answering. `false` resumes reading and sending: a socket
    /// that is still open gets what waited, in order (a client that gave up on it and
    /// closed it never does).
    public func setStalled(_ stalled: Bool) async {
        await core.setStalled(stalled)
    }

    /// While set, every HTTP request is answered with `status` and every WebSocket
    /// upgrade fails (Hummingbird answers a refused upgrade with 400). `nil` restores
    /// normal service.
    public func setRefusing(status: Int?) async {
        faults.refusingStatus = status
    }

    /// Restarts the server in place, on the same port: the queue, history, cache and
    /// socket registrations are forgotten and every socket is dropped (after the frames
    /// already queued for it, as a process that exits has handed those to the network);
    /// a running prompt is abandoned without any message. Faults and the step gate's pause stay set.
    public func restart() async {
        await core.restart()
    }

    /// Sends a text frame with exactly this content to every socket — for feeding
    /// clients malformed or unknown messages.
    public func sendRaw(text: String) async {
        await core.sendRaw(.text(text))
    }

    /// Sends a binary frame with exactly these bytes to every socket.
    public func sendRaw(binary: [UInt8]) async {
        await core.sendRaw(.binary(binary))
    }

    /// Delays every outgoing frame by `delay` from the moment it was produced (a
    /// latency: frames keep their order and spacing). `nil` removes the delay.
    public func setFrameDelay(_ delay: Duration?) async {
        faults.frameDelay = delay
    }

    /// Answers every HTTP request `delay` late (a slow or overloaded server); `nil`
    /// restores prompt answers. WebSocket frames are not affected.
    public func setHTTPDelay(_ delay: Duration?) async {
        faults.httpDelay = delay
    }
}

/// The step gate: hold the worker at an exact point of a run.
///
/// A *step* is one iteration of a node's loop — one `TestProgressLoop` step, one
/// `TestSleep` tick, one `TestFail` step before it raises — whether or not the progress
/// throttle sends it. A paused worker still takes prompts, sends their start messages
/// and runs nodes without steps; it stops before the next step until allowed.
/// An interrupt always gets through.
extension ComfyUISimulator {
    /// Pauses or resumes the worker at step boundaries. Resuming lets it run freely.
    public func setPaused(_ paused: Bool) async {
        await core.setPaused(paused)
    }

    /// While paused: lets the worker take `steps` more steps, then returns once it is
    /// held again, or has nothing left to run. With `steps: 0` it only waits for that,
    /// e.g. until a prompt just submitted reached its first step. Every message of the
    /// steps taken has been produced (queued on its sockets) when this returns.
    public func advance(steps: Int = 1) async {
        await core.advance(steps: steps)
    }
}
