import Logging

/// `prompt_worker` of `main.py` and `PromptExecutor.execute` of `execution.py`: one
/// prompt at a time, in queue order, with the lifecycle messages in the server's order.
extension SimulatorCore {
    func startWorker() {
        let (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        workerSignal = signal
        workerTask = Task { await self.runWorker(signals) }
    }

    /// Cancels the worker and waits for it. A prompt it was running is abandoned
    /// without a trace, as when the server process dies.
    func stopWorker() async {
        let task = workerTask
        task?.cancel()
        workerSignal?.finish()
        await task?.value
        workerTask = nil
        workerSignal = nil
        if current != nil {
            current = nil
            queue.finishRunning()
        }
        let watchers = gate.watchers
        gate.watchers.removeAll()
        for watcher in watchers { watcher.resume() }
    }

    func wakeWorker() { workerSignal?.yield() }

    private func runWorker(_ signals: AsyncStream<Void>) async {
        await drainQueue()
        for await _ in signals { await drainQueue() }
    }

    private func drainQueue() async {
        while !Task.isCancelled, let item = queue.take() {
            broadcastStatus()  // taken: the count is unchanged, the server says so anyway
            await execute(item)
        }
        resumeWatchersIfQuiescent()
    }

    private enum Outcome {
        case success, failed, abandoned
    }

    private func execute(_ item: QueueItem) async {
        let run = PromptRun(item: item, catalog: configuration.catalog)
        current = run
        interruptRequested = false
        executionCounts[item.promptID, default: 0] += 1
        record(run, "execution_start", ["prompt_id": .string(run.promptID)])

        let keys = cache.begin(run.graph)
        let cached = Set(run.graph.nodes.map(\.id).filter { keys[$0].flatMap(cache.entry) != nil })
        let cachedList = run.graph.nodes.map(\.id).filter(cached.contains)
        record(run, "execution_cached", ["nodes": .strings(cachedList), "prompt_id": .string(run.promptID)])

        var list = ExecutionList(graph: run.graph, outputs: item.outputs, isCached: cached.contains)
        var outcome = Outcome.success
        var failedNode: PromptGraph.Node?
        do {
            while let id = list.next() {
                guard let node = run.graph.node(id) else { break }
                failedNode = node
                if cached.contains(id), let key = keys[id], let entry = cache.entry(key) {
                    replayCached(node, ui: entry.ui, in: run)
                } else {
                    let ui = try await runNode(node, in: run)
                    if let key = keys[id] { cache.store(key, ui: ui) }
                    run.executed.append(id)
                }
                list.complete(id)
            }
            record(run, "execution_success", ["prompt_id": .string(run.promptID)])
        } catch let failure as NodeFailure {
            outcome = .failed
            recordError(failure, node: failedNode, in: run)
        } catch is Interrupted {
            outcome = .failed
            record(
                run, "execution_interrupted",
                [
                    "prompt_id": .string(run.promptID), "node_id": .string(failedNode?.id ?? ""),
                    "node_type": .string(failedNode?.classType ?? ""), "executed": .strings(run.executed),
                ], broadcast: true)
        } catch {
            outcome = .abandoned  // cancelled: restart() or stop() took the server away
        }
        logger.debug("prompt ended", metadata: ["prompt_id": "\(run.promptID)", "outcome": "\(outcome)"])
        guard outcome != .abandoned else { return }
        run.lastNodeID = nil
        finish(run, success: outcome == .success)
    }

    /// A cached node the run passes through: its cached `executed` (no `executing`) and
    /// a `progress_state` that shows it finished.
    private func replayCached(_ node: PromptGraph.Node, ui: PyJSON?, in run: PromptRun) {
        if let client = run.clientID {
            emit(
                "executed",
                .object([
                    "node": .string(node.id), "display_node": .string(node.id), "output": ui ?? .null,
                    "prompt_id": .string(run.promptID),
                ]), to: client)
        }
        if let ui { run.recordOutput(node.id, ui) }
        run.progress.finish(node.id)
        emit("progress_state", run.progress.snapshot, to: run.clientID)
    }

    /// `add_message`: kept for history, and sent to the owner (or, for a broadcast
    /// message of a prompt without owner, to everyone).
    private func record(_ run: PromptRun, _ type: String, _ data: KeyValuePairs<String, PyJSON>, broadcast: Bool = false) {
        var fields = data.map { PyField($0.key, $0.value) }
        fields.append(PyField("timestamp", .int(Identifiers.nowMillis())))
        let payload = PyJSON.object(fields)
        run.messages.append(.array([.string(type), payload]))
        if run.clientID != nil || broadcast { emit(type, payload, to: run.clientID) }
    }

    private func recordError(_ failure: NodeFailure, node: PromptGraph.Node?, in run: PromptRun) {
        var inputs: [PyField] = []
        for field in node?.inputs ?? [] {
            let value: PyJSON = node?.link(field.key) != nil ? .string(NodeFailure.tensorRepr) : field.value
            inputs.append(PyField(field.key, .array([value])))
        }
        record(
            run, "execution_error",
            [
                "prompt_id": .string(run.promptID), "node_id": .string(node?.id ?? ""),
                "node_type": .string(node?.classType ?? ""), "executed": .strings(run.executed),
                "exception_message": .string(failure.message + "\n"), "exception_type": .string(failure.type),
                "traceback": .strings(failure.traceback), "current_inputs": .object(inputs),
                "current_outputs": .strings(run.graph.nodes.map(\.id)),
            ])
    }

    /// `task_done`: history first, then the `status` broadcast, then `executing null`.
    private func finish(_ run: PromptRun, success: Bool) {
        let status = PyJSON.object([
            "status_str": .string(success ? "success" : "error"), "completed": .bool(success),
            "messages": .array(run.messages),
        ])
        history.add(
            run.promptID,
            .object(["prompt": run.item.wire, "outputs": .object(run.outputs), "status": status, "meta": .object(run.meta)]))
        completedRuns[run.promptID, default: []].append(
            CompletedRun(status: success ? "success" : "error", outputs: PyJSON.object(run.outputs).jsonValue, life: generation))
        queue.finishRunning()
        current = nil
        broadcastStatus()
        if let client = run.clientID {
            emit("executing", .object(["node": .null, "prompt_id": .string(run.promptID)]), to: client)
        }
    }
}
