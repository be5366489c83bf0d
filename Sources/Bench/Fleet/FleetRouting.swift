import ComfyCore

/// The routing figures on a pure fleet state (`FleetState`): no I/O, one core.
///
/// * `routing`: the reducer given a state nobody else holds (`ComfyReducer.reduce`, in
///   place), on the action that frees one slot — a server's running job succeeds — and
///   sends one waiting job there. Each sample is one such decision; every one is checked to
///   post exactly one job, to that server.
/// * `completion dispatch+diff`: the same action through `ComfyStore.dispatch` and
///   `StateDiff.between(old, new)`, the previous state held, as a front end holds it.
/// * `progress dispatch+diff`: a progress tick of a running job (round robin over the
///   servers) through the store and the diff: the `dispatch` figure, on the fleet state.
enum FleetRouting {
    struct Figures {
        var routing = Latencies()
        var completionDispatchDiff = Latencies()
        var progressDispatchDiff = Latencies()
        var waitingAtEnd = 0
        var diffLinesPerCompletion = 0.0
        var diffLinesPerTick = 0.0
    }

    /// `samples` decisions (after `warmUp` untimed ones), and `diffSamples` of each
    /// dispatch+diff kind (a completion's diff still reads the whole prompt table: tens of
    /// milliseconds with 10 000 jobs waiting, see docs/performance.md).
    static func measure(
        servers: Int, waiting: Int, samples: Int, diffSamples: Int, warmUp: Int = 500, phases: Set<String> = ["routing", "completion", "progress"]
    ) -> Figures {
        var figures = Figures()
        let clock = ContinuousClock()

        // Routing, in place.
        var fleet = FleetState(servers: servers, waiting: waiting)
        for cycle in 0..<(phases.contains("routing") ? warmUp + samples : 0) {
            let index = cycle % servers
            let action = fleet.completion(index)
            let start = clock.now
            let commands = fleet.reduce(action)
            let elapsed = clock.now - start
            if cycle >= warmUp { figures.routing.record(microseconds: elapsed.inSeconds * 1e6) }
            let sent = Self.oneJob(commands, to: fleet.names[index])
            for next in fleet.settle(index, sent: sent) { _ = fleet.reduce(next) }
        }
        figures.waitingAtEnd = fleet.state.queue.waitingIDs.count

        // The same through the store, with the diff, the previous state held.
        var lines = 0
        let store = ComfyStore(initialState: fleet.state)
        let diffWarmUp = min(warmUp, diffSamples)
        for cycle in 0..<(phases.contains("completion") ? diffWarmUp + diffSamples : 0) {
            let index = cycle % servers
            let action = fleet.completion(index)
            let old = store.state
            let start = clock.now
            let commands = store.dispatch(action)
            let diff = StateDiff.between(old, store.state)
            let elapsed = clock.now - start
            if cycle >= diffWarmUp {
                figures.completionDispatchDiff.record(microseconds: elapsed.inSeconds * 1e6)
                lines += diff.count
            }
            let sent = Self.oneJob(commands, to: fleet.names[index])
            for next in fleet.settle(index, sent: sent) { store.dispatch(next) }
        }
        figures.diffLinesPerCompletion = Double(lines) / Double(diffSamples)

        // Progress ticks through the store, with the diff.
        lines = 0
        for cycle in 0..<(phases.contains("progress") ? diffWarmUp + diffSamples : 0) {
            let action = fleet.progress(cycle % servers, value: cycle % 1000 + 1)
            let old = store.state
            let start = clock.now
            store.dispatch(action)
            let diff = StateDiff.between(old, store.state)
            let elapsed = clock.now - start
            if cycle >= diffWarmUp {
                figures.progressDispatchDiff.record(microseconds: elapsed.inSeconds * 1e6)
                lines += diff.count
            }
        }
        figures.diffLinesPerTick = Double(lines) / Double(diffSamples)
        return figures
    }

    /// The one job `commands` post, which must go to `server`.
    static func oneJob(_ commands: [Command], to server: String) -> String {
        let posts = FleetState.posts(commands, default: server)
        precondition(posts.count == 1 && posts[0].server == server, "the decision sent \(posts) (expected one job to \(server))")
        return posts[0].id
    }
}
