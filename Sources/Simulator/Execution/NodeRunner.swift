/// Running one node: the messages around it, its steps, its UI output.
extension SimulatorCore {
    /// Runs a node that is not cached and returns its UI output.
    func runNode(_ node: PromptGraph.Node, in run: PromptRun) async throws -> PyJSON? {
        run.progress.start(node.id)
        emit("progress_state", run.progress.snapshot, to: run.clientID)
        if let client = run.clientID {
            run.lastNodeID = node.id
            emit(
                "executing", .object(["node": .string(node.id), "display_node": .string(node.id), "prompt_id": .string(run.promptID)]),
                to: client)
        }
        try checkInterrupt()  // before_node_execution

        let ui = try await perform(node, in: run)

        if let ui {
            if let client = run.clientID {
                emit(
                    "executed",
                    .object([
                        "node": .string(node.id), "display_node": .string(node.id), "output": ui, "prompt_id": .string(run.promptID),
                    ]), to: client)
            }
            run.recordOutput(node.id, ui)
        }
        run.progress.finish(node.id)
        emit("progress_state", run.progress.snapshot, to: run.clientID)
        return ui
    }

    /// One progress-bar update: `progress_state`, the preview, `progress`, in the
    /// server's order (a metadata preview before `progress`, a legacy one after).
    func tick(
        _ ticks: inout Ticker, _ node: PromptGraph.Node, _ run: PromptRun, value: Int, max: Int, preview: Bool
    ) throws {
        let value = min(value, max)
        guard ticks.shouldSend(value: value, max: max, hasPreview: preview) else { return }
        try checkInterrupt()  // the progress hook is where a pending interrupt is raised
        run.progress.update(node.id, value: value, max: max)
        emit("progress_state", run.progress.snapshot, to: run.clientID)
        let withMetadata = preview && negotiatedPreviewMetadata(run.clientID)
        if withMetadata {
            let metadata = PyJSON.object([
                "node_id": .string(node.id), "prompt_id": .string(run.promptID), "display_node_id": .string(node.id),
                "parent_node_id": .null, "real_node_id": .string(node.id), "image_type": .string("image/jpeg"),
            ])
            emitBinary(BinaryFrame.previewWithMetadata(jpeg: SampleImages.previewJPEG, metadata: metadata), to: run.clientID)
        }
        emit(
            "progress",
            .object(["value": .int(value), "max": .int(max), "prompt_id": .string(run.promptID), "node": .string(node.id)]),
            to: run.clientID)
        if preview && !withMetadata {
            emitBinary(BinaryFrame.legacyPreview(jpeg: SampleImages.previewJPEG), to: run.clientID)
        }
    }

    /// `throw_exception_if_processing_interrupted`: raises once and clears the flag.
    func checkInterrupt() throws {
        guard interruptRequested else { return }
        interruptRequested = false
        throw Interrupted()
    }

    /// One step's real time: the node's own delay, or `stepDelay` when configured.
    /// `TestSleep` sleeps in 50 ms slices and checks the interrupt flag between them.
    /// `jittered`: a sampler's step, whose time varies with `stepJitter`.
    func wait(nominal seconds: Double, interruptible: Bool = false, jittered: Bool = false) async throws {
        // Validation bounds the inputs (at most an hour); the clamp only guards the conversion.
        var nominal = min(max(seconds, 0), 86_400)
        if jittered, configuration.stepJitter > 0 { nominal *= 1 + configuration.stepJitter * (2 * jitter.nextUnit() - 1) }
        var remaining = configuration.stepDelay ?? .milliseconds(Int64((nominal * 1000).rounded()))
        guard remaining > .zero else {
            await Task.yield()
            try Task.checkCancellation()
            return
        }
        let slice = interruptible ? Duration.milliseconds(50) : remaining
        while remaining > .zero {
            let next = min(remaining, slice)
            try await Task.sleep(for: next)
            remaining -= next
            if interruptible { try checkInterrupt() }
        }
    }
}

/// The progress-bar throttle of the newer server: a tick less than 0.1 s after the last
/// one sent is dropped unless it is the first, the last, or carries a preview. Time here
/// is the node's *nominal* time (steps × its own delay), not the wall clock, so the
/// messages a run produces do not depend on `stepDelay` or on how busy the machine is.
struct Ticker {
    let stepMillis: Int
    private var step = 0
    private var lastSent: Int?

    init(stepMillis: Int) { self.stepMillis = stepMillis }

    mutating func shouldSend(value: Int, max: Int, hasPreview: Bool) -> Bool {
        step += 1
        let now = step * stepMillis
        if let lastSent, value < max, !hasPreview, now - lastSent < 100 { return false }
        lastSent = now
        return true
    }
}

extension PromptGraph.Node {
    func int(_ name: String) -> Int? {
        switch input(name) {
        case .int(let i): i
        case .float(let d): Int(exactly: d.rounded(.towardZero))
        default: nil
        }
    }

    func seconds(_ name: String) -> Double? { input(name)?.number }
}
