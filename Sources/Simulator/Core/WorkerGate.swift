/// The step gate: a test control that holds the worker between progress steps, so a
/// test can act at an exact point of a run ("after the 2nd progress") without sleeping.
///
/// A *step* is one iteration of a node's loop (one tick, whether or not the throttle
/// lets it through). Nodes without steps (`EmptyImage`, `SaveImage`…) are never held, so
/// a paused worker still runs a prompt up to its first step, and all of a prompt that
/// has none.
struct WorkerGate {
    var paused = false
    /// Steps the worker may still take while paused.
    var allowance = 0
    /// The worker, while it waits at the gate.
    var held: CheckedContinuation<Void, Never>?
    /// `advance` callers waiting for the worker to be held or idle again.
    var watchers: [CheckedContinuation<Void, Never>] = []
}

extension SimulatorCore {
    /// Called by a node before each step. Returns at once unless paused; an interrupt
    /// always lets the worker through (it will then raise).
    func passGate() async throws {
        while gate.paused && gate.allowance == 0 && !interruptRequested {
            try Task.checkCancellation()
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    if Task.isCancelled {
                        continuation.resume()
                        return
                    }
                    gate.held = continuation
                    resumeWatchersIfQuiescent()
                }
            } onCancel: {
                Task { await self.releaseHeldWorker() }
            }
        }
        try Task.checkCancellation()
        if gate.paused && gate.allowance > 0 && !interruptRequested { gate.allowance -= 1 }
    }

    func setPaused(_ paused: Bool) {
        gate.paused = paused
        gate.allowance = 0
        if !paused { releaseHeldWorker() }
    }

    /// Lets a paused worker take `steps` more steps, then returns once it is held again
    /// or has nothing left to do. `steps: 0` only waits for that.
    func advance(steps: Int) async {
        if steps > 0 {
            gate.allowance += steps
            releaseHeldWorker()
        }
        if isQuiescent { return }
        await withCheckedContinuation { gate.watchers.append($0) }
    }

    func releaseHeldWorker() {
        gate.held?.resume()
        gate.held = nil
    }

    /// Held at the gate with no steps left, or idle with an empty queue.
    var isQuiescent: Bool {
        (gate.held != nil && gate.allowance == 0) || (current == nil && queue.pending.isEmpty) || workerTask == nil
    }

    func resumeWatchersIfQuiescent() {
        guard isQuiescent else { return }
        let watchers = gate.watchers
        gate.watchers.removeAll()
        for watcher in watchers { watcher.resume() }
    }
}
