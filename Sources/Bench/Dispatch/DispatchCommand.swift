import ArgumentParser
import ComfyCore

/// `comfysh-bench dispatch`: one `progress` tick through the `ComfyStore` and the state diff
/// a front end then renders, timed per action — in a large state (10 000 prompts in the
/// queue record, a running prompt with 1 000 nodes) and in a small one (10 prompts, 10
/// nodes). The two figures should be close: the cost must follow what changed (one
/// node's value, the progress slice, the last-frame time), not the size of the state.
struct DispatchCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Dispatch one progress action and diff the state, in a large and a small state.")

    @Option(help: "Prompts in the large state's queue record.")
    var prompts = 10_000

    @Option(help: "Nodes in the large state's running prompt.")
    var nodes = 1_000

    @Option(help: "Minimum seconds to measure each figure.")
    var seconds = 2.0

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    func measure() -> Report {
        progress("dispatch+diff: building a state with \(prompts) prompts and \(nodes) nodes")
        let large = LargeGraph.state(prompts: prompts, nodes: nodes)
        let small = LargeGraph.state(prompts: 10, nodes: 10)
        progress("dispatch+diff: large state")
        let big = Self.time(large, nodes: nodes, seconds: seconds)
        progress("dispatch+diff: small state")
        let little = Self.time(small, nodes: 10, seconds: seconds)

        var report = Report()
        report.add("dispatch_diff_us", big.perAction, .microseconds)
        report.add("dispatch_diff_small_us", little.perAction, .microseconds)
        report.add("dispatch_diff_large_vs_small", ratio(big.perAction, little.perAction), .ratio)
        report.add("dispatch_diff_lines_per_action", big.lines, .count)
        report.context = [
            JSONField("dispatch_prompts", .number(Double(large.queue.prompts.count))),
            JSONField("dispatch_nodes", .number(Double(large.nodes.byID.count))),
        ]
        report.notes.append("")
        report.notes.append(
            "dispatch: a progress tick of the running node through ComfyStore.dispatch, then StateDiff.between(old, new); "
                + "large state \(large.queue.prompts.count) prompts / \(large.nodes.byID.count) nodes, small \(small.queue.prompts.count) / \(small.nodes.byID.count)")
        return report
    }

    /// Mean microseconds per dispatch-and-diff, and the diff lines per action.
    static func time(_ initial: AppState, nodes: Int, seconds: Double) -> (perAction: Double, lines: Double) {
        let store = ComfyStore(initialState: initial)
        let id = initial.nodes.promptID ?? ""
        let node = String(nodes)
        // Every tick differs from the one before, so every diff has lines.
        let actions = (0..<1000).map { v in
            FrameDecoder.decode(text: LargeGraph.progress(id, node: node, value: v + 1, max: 1000), at: Timestamp(seconds: 100 + Double(v)))
        }
        var lines = 0
        var count = 0
        let clock = ContinuousClock()
        let start = clock.now
        var elapsed = Duration.zero
        repeat {
            for action in actions {
                let old = store.state
                store.dispatch(action)
                lines += StateDiff.between(old, store.state).count
            }
            count += actions.count
            elapsed = clock.now - start
        } while elapsed < .seconds(seconds)
        return (elapsed.inSeconds * 1e6 / Double(count), Double(lines) / Double(count))
    }
}
