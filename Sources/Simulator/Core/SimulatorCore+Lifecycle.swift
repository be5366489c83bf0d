/// Stopping and restarting the simulated server process.
extension SimulatorCore {
    /// The process exits: the worker stops mid-prompt, sockets die without close frames.
    func shutdown() async {
        await stopWorker()
        dropAllSockets()
        releaseSocketCountWaiters()
    }

    /// The process restarts on the same port: queue, history, cache, temp files and
    /// socket registrations are gone, the prompt counter starts again at 0. Saved
    /// outputs stay (they are on disk), and so do the test controls: faults, the step
    /// gate's pause, and the execution counts.
    func restart() async {
        await stopWorker()
        generation += 1
        dropAllSocketsAfterQueuedFrames()
        registry.removeAll()
        clientFlags.removeAll()
        queue = PromptQueue()
        history.clear()
        cache.clear()
        files.restart()
        interruptRequested = false
        gate.allowance = 0
        startWorker()
    }
}
