import ComfyCore

/// The stall detector: the server never pings and never replays, so a socket can stay
/// open and still be useless (ComfyUI #16010: after an overlapping reconnect the new
/// socket silently receives nothing). When a prompt of ours runs and nothing has arrived
/// for `stallTimeout`, probe `GET /queue`:
///
/// * the prompt no longer runs, or the queue's length differs from the last `status`
///   the socket delivered: the socket missed broadcasts, so it is no longer registered
///   → reconnect (the resync then settles what was missed);
/// * otherwise the server is busy (loading a model, a long node): keep waiting, shown as
///   stalled; after three timeouts, reconnect anyway — it is cheap and harmless.
extension ComfyClient {
    func watchForStalls(socket: Int, channel: any SocketChannel) async {
        let timeout = configuration.stallTimeout.seconds
        while !Task.isCancelled {
            guard await sleep(for: configuration.stallTimeout / 2) else { return }
            guard current?.socket == socket else { return }
            let whole = store.state
            let state = whole.server(for: configuration.name)
            guard state.connection.isOnline,
                let running = whole.queue.runningIDs(on: state.name).first(where: { whole.queue.prompts[$0]?.owner == .ours })
            else { continue }
            let last = max(state.connection.lastFrameAt ?? .zero, state.connection.connectedAt ?? .zero)
            let quiet = now - last
            guard quiet >= timeout else { continue }
            if state.connection.stalledSince == nil { dispatch(.connection(.stalled(since: last))) }
            let probe = await http.send(.queue, timeout: configuration.requestTimeout)
            guard current?.socket == socket else { return }
            guard case .queueSnapshot(let snapshot) = probe.result else {
                dispatch(.http(probe.result))
                continue
            }
            dispatch(.connection(.probed(rttMs: probe.milliseconds)))
            let stillRunning = snapshot.running.contains { $0.promptID == running }
            let length = snapshot.running.count + snapshot.pending.count
            let missed = !stillRunning || length != (store.state.server(for: configuration.name).remaining ?? length)
            if missed || quiet >= 3 * timeout {
                clientCloseReason =
                    missed
                    ? "no events for \(Int(quiet)) s and the queue shows what the socket missed: reconnecting"
                    : "no events for \(Int(quiet)) s while prompt \(running.prefix(8)) runs: reconnecting"
                await channel.close(code: 1000, reason: "re-registering")
                return
            }
        }
    }
}
