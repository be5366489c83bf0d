import Benchmark
import ComfyCore
import ComfyLive
import Foundation

// comfysh's micro benchmarks (see Package.swift for how to run and check them).
//
// Each benchmark times one pass over a fixed workload (what a pass holds is said above
// it) and reports throughput in passes per second, wall clock, and allocations.
// The thresholds (below) say how far a run may drift from the checked-in p90s in
// Thresholds/ before `thresholds check` calls it a regression: allocation counts are
// exact, so they are held to 2% whatever the machine is doing; times on this shared
// two-core machine swing by ±25% from run to run, so wall clock gets 50% — check at a
// quiet moment (load under 1): under another build's load the p90s doubled and the
// time check failed with no change to the code.

let fixtures = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/Fixtures/comfyui").path

/// Every incoming frame of the recorded transcripts, in order, as bytes.
enum Frames {
    enum Frame {
        case text([UInt8], Timestamp)
        case binary([UInt8], Timestamp)
    }

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { (fixtures as NSString).appendingPathComponent($0) }
    }()

    static let all: [Frame] = {
        var out: [Frame] = []
        for file in files {
            for (_, entry) in (try? TranscriptReader.read(path: file)) ?? [] {
                switch entry {
                case .text(let t, _, true, let text): out.append(.text(Array(text.utf8), Timestamp(seconds: t)))
                case .binary(let t, _, let bytes?): out.append(.binary(bytes, Timestamp(seconds: t)))
                default: break
                }
            }
        }
        return out
    }()

    static let text: [([UInt8], Timestamp)] = all.compactMap {
        if case .text(let bytes, let t) = $0 { return (bytes, t) }
        return nil
    }

    @inline(__always)
    static func decode(_ frame: Frame, _ state: AppState) -> ComfyAction {
        switch frame {
        case .text(let bytes, let t):
            return bytes.withUnsafeBufferPointer { FrameDecoder.decode(utf8: $0, at: t) }
        case .binary(let bytes, let t):
            let layout: BinaryDecoder.ProgressTextLayout = state.connection.progressTextMetadata ? .withPromptID : .released
            return bytes.withUnsafeBufferPointer { BinaryDecoder.decode(bytes: $0, at: t, layout: layout) }
        }
    }
}

/// A large graph's frames in the server's format (as comfysh-bench's LargeGraph).
enum Large {
    static func promptID(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return "0b6c0000-0000-4000-8000-" + String(repeating: "0", count: max(0, 12 - hex.count)) + hex
    }

    static func progressState(_ id: String, nodes: Int, value: Int, max: Int) -> String {
        var entries: [String] = []
        for i in 1...nodes {
            let last = i == nodes
            entries.append(
                #""\#(i)": {"value": \#(last ? "\(value).0" : "1.0"), "max": \#(last ? "\(max).0" : "1.0"), "state": "\#(last ? "running" : "finished")", "node_id": "\#(i)", "prompt_id": "\#(id)", "display_node_id": "\#(i)", "parent_node_id": null, "real_node_id": "\#(i)"}"#)
        }
        return #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
    }

    static func start(_ id: String) -> String {
        #"{"type": "execution_start", "data": {"prompt_id": "\#(id)", "timestamp": 1764400000000}}"#
    }

    static func frame(_ text: String, _ t: Double) -> Frames.Frame { .text(Array(text.utf8), Timestamp(seconds: t)) }

    /// The 500-node graph's last node ticking 20 times, each tick a full snapshot.
    static let snapshots: (start: [Frames.Frame], ticks: [Frames.Frame]) = {
        let id = promptID(500)
        return ([frame(start(id), 0)], (0..<20).map { frame(progressState(id, nodes: 500, value: $0, max: 20), 0.01 * Double($0 + 1)) })
    }()

    /// A state with 1 000 finished prompts and a running one of 1 000 nodes.
    static func state(prompts: Int, nodes: Int) -> AppState {
        var state = AppState()
        var t = 0.0
        func apply(_ text: String) {
            t += 0.001
            state.apply(FrameDecoder.decode(text: text, at: Timestamp(seconds: t)))
        }
        for i in 0..<(prompts - 1) {
            let id = promptID(i)
            apply(start(id))
            apply(#"{"type": "executing", "data": {"node": "9", "display_node": "9", "prompt_id": "\#(id)"}}"#)
            apply(#"{"type": "executed", "data": {"node": "9", "display_node": "9", "output": {"images": [{"filename": "ComfyUI_\#(i).png", "subfolder": "", "type": "output"}]}, "prompt_id": "\#(id)"}}"#)
            apply(#"{"type": "execution_success", "data": {"prompt_id": "\#(id)", "timestamp": 1764400000000}}"#)
            apply(#"{"type": "executing", "data": {"node": null, "display_node": null, "prompt_id": "\#(id)"}}"#)
        }
        let running = promptID(prompts - 1)
        apply(start(running))
        apply(progressState(running, nodes: nodes, value: 0, max: 1000))
        apply(#"{"type": "executing", "data": {"node": "\#(nodes)", "display_node": "\#(nodes)", "prompt_id": "\#(running)"}}"#)
        return state
    }
}

let benchmarks: @Sendable () -> Void = {
    let time = BenchmarkThresholds(relative: [.p90: 50])
    let exact = BenchmarkThresholds(relative: [.p90: 2])
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 5,
        maxDuration: .seconds(2),
        maxIterations: 100_000,
        // Wall clock, not CPU time: the CPU time metric has a 10 ms resolution here.
        thresholds: [.wallClock: time, .throughput: time, .mallocCountTotal: exact]
    )

    // Every text frame of the fixtures (332), one pass per iteration.
    Benchmark("decode") { benchmark in
        for _ in benchmark.scaledIterations {
            for (bytes, t) in Frames.text {
                blackHole(bytes.withUnsafeBufferPointer { FrameDecoder.decode(utf8: $0, at: t) })
            }
        }
    }

    // Every frame of the fixtures (362: text and binary), decoded and reduced into a fresh state.
    Benchmark("decode+reduce") { benchmark in
        for _ in benchmark.scaledIterations {
            var state = AppState()
            for frame in Frames.all { blackHole(state.apply(Frames.decode(frame, state))) }
            blackHole(state)
        }
    }

    // A 500-node graph's last node ticking 20 times, each tick a full snapshot (~100 KB).
    Benchmark("progress_state_500") { benchmark in
        for _ in benchmark.scaledIterations {
            var state = AppState()
            for frame in Large.snapshots.start { state.apply(Frames.decode(frame, state)) }
            for frame in Large.snapshots.ticks { blackHole(state.apply(Frames.decode(frame, state))) }
            blackHole(state)
        }
    }

    // One progress tick through the store, then the diff a front end renders, in a state
    // of 1 000 finished prompts and a running prompt of 1 000 nodes: 100 ticks a pass.
    Benchmark("dispatch+diff") { benchmark in
        let initial = Large.state(prompts: 1_001, nodes: 1_000)
        let id = initial.nodes.promptID ?? ""
        let ticks = (0..<100).map { v in
            FrameDecoder.decode(
                text: #"{"type": "progress", "data": {"value": \#(v + 1), "max": 1000, "prompt_id": "\#(id)", "node": "1000"}}"#,
                at: Timestamp(seconds: 100 + Double(v)))
        }
        let store = ComfyStore(initialState: initial)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            for tick in ticks {
                let old = store.state
                store.dispatch(tick)
                blackHole(StateDiff.between(old, store.state))
            }
        }
    }

    // The eleven fixture transcripts, each streamed from its file into a fresh state.
    Benchmark("replay") { benchmark in
        for _ in benchmark.scaledIterations {
            for file in Frames.files {
                var state = AppState()
                try TranscriptActions.replay(path: file, into: &state)
                blackHole(state)
            }
        }
    }
}
