import ArgumentParser
import ComfyCore
import ComfySimulator
import Foundation

/// `comfysh-bench eta`: how good the ETA is (issue 15). Each scenario (`EtaScenario`) runs
/// `runs` times through the real `comfysh run --json`, each run a new process on the
/// scenario's own job store; every progress event's ETA is compared with the time that was
/// really left, as timed by this process when the line arrived.
///
/// Figures per scenario and run: the mean absolute error as a share of the run's length
/// (an event without an ETA counts as saying 0), the events with an ETA, the lower bounds
/// and how many of them were broken, and how often the ETA rose from one step to the next.
struct EtaCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "eta",
        abstract: "The ETA's error over real runs, first and later, per scenario (steady, jittery, several stepped nodes, cached nodes, a slow node without steps, a new workflow of known classes).",
        discussion: """
            On the simulator (default), or on a real ComfyUI with the test node pack \
            (--server URL; the jittery scenario needs the simulator and is left out):
              .build-bench/release/comfysh-bench eta --json
              .build-bench/release/comfysh-bench eta --server http://127.0.0.1:8188
            """)

    @Option(help: "Runs per scenario (the first with nothing learned).")
    var runs = 3

    @Option(help: "A real ComfyUI server with the test node pack (default: simulators in this process).")
    var server: String?

    @Option(help: "Only these scenarios (comma-separated).")
    var only: String?

    @Option(help: "The comfysh binary (default: next to this one).")
    var comfysh: String?

    @Flag(help: "Print every progress event: when it came, its node and step, its ETA and what was left.")
    var verbose = false

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    func measure() async throws -> Report {
        let binary = comfysh ?? ReplayBenchCommand.sibling("comfysh")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-bench-eta-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let chosen = only.map { Set($0.split(separator: ",").map(String.init)) }
        var report = Report()
        var worst: [String: Double] = [:]
        for scenario in EtaScenario.all where chosen?.contains(scenario.name) ?? true {
            if scenario.jittery, server != nil {
                progress("eta: \(scenario.name) left out: a real server's steps cannot be made to vary")
                continue
            }
            // A server per scenario on the simulator: its cache and its jitter are its own.
            let url: String
            var simulator: ComfyUISimulator?
            if let server {
                url = server
            } else {
                var configuration = SimulatorConfiguration()
                if scenario.jittery { configuration.stepJitter = 0.3 }
                let started = ComfyUISimulator(configuration: configuration)
                try await started.start()
                simulator = started
                url = started.baseURL
            }
            let jobStore = folder.appendingPathComponent("\(scenario.name).sqlite").path
            let state = folder.appendingPathComponent("state").path
            func file(_ nodes: [EtaScenario.Node], run: Int, tag: String) throws -> String {
                let path = folder.appendingPathComponent("\(scenario.name)-\(tag)-\(run).json").path
                try Data(JSONWriter.string(EtaScenario.graph(nodes, run: run, prefix: scenario.name)).utf8).write(to: URL(fileURLWithPath: path))
                return path
            }
            if let before = scenario.after {
                progress("eta: \(scenario.name): the other workflow first")
                let other = try EtaRun.run(comfysh: binary, file: try file(before, run: 99, tag: "other"), server: url, jobStore: jobStore, state: state)
                if !other.succeeded { throw ValidationError("eta: the other workflow of \(scenario.name) did not succeed: \(other.stderr)") }
            }
            progress("eta: \(scenario.name) — \(scenario.about)")
            for run in 1...max(runs, 1) {
                let result = try EtaRun.run(comfysh: binary, file: try file(scenario.nodes, run: run, tag: "run"), server: url, jobStore: jobStore, state: state)
                guard result.succeeded else { throw ValidationError("eta: \(scenario.name) run \(run) did not succeed: \(result.stderr)") }
                let name = "eta_\(scenario.name)_run\(run)"
                report.add("\(name)_error_percent", result.errorShare, .percent)
                report.add("\(name)_seconds", result.length * 1000, .milliseconds)
                report.add("\(name)_events", Double(result.samples.count), .count)
                report.add("\(name)_events_with_eta", Double(result.withETA), .count)
                report.add("\(name)_lower_bounds", Double(result.lowerBounds), .count)
                report.add("\(name)_broken_lower_bounds", Double(result.brokenBounds), .count)
                report.add("\(name)_rises", Double(result.rises), .count)
                if verbose {
                    for e in result.samples {
                        progress(String(
                            format: "    %6.3f s  node %@ %2.0f  ETA %@ (%@)  left %.3f s", e.at, e.node ?? "?", e.value,
                            e.eta.map { String(format: "%.3f s", $0) } ?? "—", e.basis ?? "none", e.left))
                    }
                }
                let kind = run == 1 ? "first" : "later"
                worst["\(kind)_\(scenario.name)"] = max(worst["\(kind)_\(scenario.name)"] ?? 0, result.errorShare)
                progress(String(
                    format: "  run %d: %.1f s, error %.1f %% of the run, %d/%d events with an ETA, %d lower bounds (%d broken), %d rises; bases %@",
                    run, result.length, result.errorShare * 100, result.withETA, result.samples.count, result.lowerBounds, result.brokenBounds,
                    result.rises, Dictionary(grouping: result.samples, by: { $0.basis ?? "none" }).mapValues(\.count).description))
            }
            await simulator?.stop()
        }
        for (key, value) in worst.sorted(by: { $0.key < $1.key }) { report.add("eta_worst_\(key)_error_percent", value, .percent) }
        return report
    }
}
