/// A node raised: becomes `execution_error`.
struct NodeFailure: Error {
    let message: String
    var type = "RuntimeError"
    var traceback: [String]

    /// `TestFail`'s exception, with the frames the recorded server reported.
    static func testFail(_ message: String) -> NodeFailure {
        NodeFailure(
            message: message,
            traceback: [
                "  File \"<comfyui>/execution.py\", line 545, in execute\n    output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)\n                                                              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
                "  File \"<comfyui>/execution.py\", line 344, in get_output_data\n    return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)\n                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
                "  File \"<comfyui>/execution.py\", line 318, in _async_map_node_over_list\n    await process_inputs(input_dict, i)\n",
                "  File \"<comfyui>/execution.py\", line 306, in process_inputs\n    result = f(**inputs)\n             ^^^^^^^^^^^\n",
                "  File \"<comfyui>/custom_nodes/comfy_test_nodes/__init__.py\", line 119, in run\n    raise RuntimeError(message)\n",
            ])
    }

    /// How `current_inputs` shows an image input (the server prints the tensor).
    static let tensorRepr = "tensor([[[[0.0000, 0.0000, 0.0000]]]])"
}

/// The interrupt flag was raised at a check: becomes `execution_interrupted`.
struct Interrupted: Error {}

/// What each node class does between its `executing` and its `executed`.
extension SimulatorCore {
    /// Runs the node's body and returns its UI output, if it has one.
    func perform(_ node: PromptGraph.Node, in run: PromptRun) async throws -> PyJSON? {
        switch node.nodeClass.behaviour {
        case .instant:
            return nil
        case .progressLoop:
            // `steps` ticks of `delay`, each with an optional preview and "step i/N" text.
            let steps = node.int("steps") ?? 10
            let delay = node.seconds("delay") ?? 0.2
            let preview = node.input("preview")?.isTruthy ?? true
            let text = node.input("progress_text")?.isTruthy ?? false
            var ticks = Ticker(stepMillis: Int((delay * 1000).rounded()))
            for step in stride(from: 1, through: steps, by: 1) {
                try await passGate()
                try await wait(nominal: delay, jittered: true)
                try tick(&ticks, node, run, value: step, max: steps, preview: preview)
                // Progress text goes to every socket: core passes no target.
                if text { emitBinary(BinaryFrame.progressText(nodeID: node.id, text: "step \(step)/\(steps)"), to: nil) }
            }
            return nil
        case .sleep:
            // One tick per `tick` seconds, slept in interruptible slices.
            let seconds = node.seconds("seconds") ?? 30
            let tickLength = max(node.seconds("tick") ?? 1, 0.001)
            let count = seconds > 0 ? max(1, Int((seconds / tickLength).rounded())) : 0
            var ticks = Ticker(stepMillis: Int((tickLength * 1000).rounded()))
            for step in stride(from: 1, through: count, by: 1) {
                try await passGate()
                try await wait(nominal: tickLength, interruptible: true)
                try tick(&ticks, node, run, value: step, max: count, preview: false)
            }
            return nil
        case .fail:
            // Reports `steps_before_fail` of `steps_before_fail + 1` steps, then raises.
            let steps = node.int("steps_before_fail") ?? 0
            var ticks = Ticker(stepMillis: 50)
            for step in stride(from: 1, through: steps, by: 1) {
                try await passGate()
                try await wait(nominal: 0.05)
                try tick(&ticks, node, run, value: step, max: steps + 1, preview: false)
            }
            throw NodeFailure.testFail(node.input("message")?.string ?? "TestFail: deliberate failure")
        case .previewImage:
            return files.newTemp()
        case .saveImage:
            do {
                return try files.newOutput(prefix: node.input("filename_prefix")?.string ?? "ComfyUI")
            } catch {
                throw NodeFailure(message: error.message, type: "Exception", traceback: [])
            }
        }
    }
}
