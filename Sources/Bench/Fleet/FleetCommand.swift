import ArgumentParser
import ComfyCore
import ComfyLive
import Foundation

/// `comfysh-bench fleet`: the fleet figures of issues 11 and 14.
///
/// * speed-up: `--jobs` jobs of `--seconds` each on 1, 2 and 4 simulated servers through
///   `ComfyFleet` in this process (goal: ≥ 0.9 × N on N servers);
/// * routing: a pure state with `--servers` servers (32) and `--waiting` jobs (10 000)
///   waiting — one routing decision (a job succeeds, the next goes to its server) p50/p99
///   (goal < 100 µs p99), and dispatch+diff of that action and of a progress tick (goal
///   < 20 µs p99);
/// * scaling: the routing decision with `--scale-servers` servers and `--scale-waiting`
///   jobs waiting, the reducer against `NaiveRouter` (sorting the waiting jobs and counting
///   loads from the records) on the same states, in the same run: decisions per second,
///   p50/p99, and their ratio;
/// * follow: resident memory of one real `comfysh run` (the binary next to this one)
///   following `--servers` simulated servers with `--waiting` jobs (goal < 100 MB).
struct FleetCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Fleet figures: speed-up on 1, 2, 4 servers; routing and dispatch+diff with 32 servers and 10 000 jobs waiting; routing against a naive router as the fleet and queue grow; memory.")

    @Option(help: "Jobs in each speed-up run.")
    var jobs = 120

    @Option(help: "Seconds each speed-up job takes (TestSleep).")
    var seconds = 0.5

    @Option(help: "Fleet sizes for the speed-up, comma-separated.")
    var sizes = "1,2,4"

    @Option(help: "Servers in the routing state and the memory run.")
    var servers = 32

    @Option(help: "Jobs waiting in our queue in the routing state and the memory run.")
    var waiting = 10_000

    @Option(help: "Routing decisions timed.")
    var samples = 20_000

    @Option(help: "Dispatch+diff samples timed, of a completion and of a progress tick.")
    var diffSamples = 300

    @Option(help: "Fleet sizes for the scaling part, comma-separated.")
    var scaleServers = "1,4,16,32,64"

    @Option(help: "Jobs waiting for the scaling part, comma-separated.")
    var scaleWaiting = "1000,10000"

    @Option(help: "Reducer decisions timed per scaling cell (the naive router: a tenth, at least 100).")
    var scaleSamples = 5_000

    @Option(help: "The comfysh executable for the memory run (default: next to this one).")
    var comfysh: String?

    @Option(help: "Parts to run, comma-separated: routing, scaling, follow, speedup.")
    var only = "routing,scaling,follow,speedup"

    @Option(help: ArgumentHelp("The routing part's phases (routing, completion, progress), for a profile of one.", visibility: .hidden))
    var phases = "routing,completion,progress"

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    func measure() async throws -> Report {
        var report = Report()
        let parts = Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })

        if parts.contains("routing") {
            progress("fleet: routing, a pure state with \(servers) servers and \(waiting) jobs waiting, \(samples) decisions")
            let f = FleetRouting.measure(
                servers: servers, waiting: waiting, samples: samples, diffSamples: diffSamples,
                phases: Set(phases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
            report.add("fleet_routing_p50_us", f.routing.percentile(50), .microseconds)
            report.add("fleet_routing_p99_us", f.routing.percentile(99), .microseconds)
            report.add("fleet_routing_max_us", f.routing.max, .microseconds)
            report.add("fleet_completion_dispatch_diff_p50_us", f.completionDispatchDiff.percentile(50), .microseconds)
            report.add("fleet_completion_dispatch_diff_p99_us", f.completionDispatchDiff.percentile(99), .microseconds)
            report.add("fleet_progress_dispatch_diff_p50_us", f.progressDispatchDiff.percentile(50), .microseconds)
            report.add("fleet_progress_dispatch_diff_p99_us", f.progressDispatchDiff.percentile(99), .microseconds)
            report.add("fleet_waiting_at_end", Double(f.waitingAtEnd), .count)
            report.notes.append("")
            report.notes.append(
                "routing: \(servers) servers (connected, resynced, one catalogue), each running one job and holding one, \(waiting) waiting; "
                    + "a decision = a job succeeds on a server and the first waiting job is sent there (ComfyReducer.reduce on a state "
                    + "nobody else holds); dispatch+diff = ComfyStore.dispatch + StateDiff.between with the previous state held "
                    + "(\(JSONWriter.number((f.diffLinesPerCompletion * 10).rounded() / 10)) diff lines per completion, "
                    + "\(JSONWriter.number((f.diffLinesPerTick * 10).rounded() / 10)) per progress tick, round robin over the servers); "
                    + "\(samples) decisions, \(diffSamples) dispatch+diff samples of each kind, HdrHistogram")
        }

        if parts.contains("scaling") {
            let sizes = scaleServers.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let lengths = scaleWaiting.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            let naiveSamples = max(100, scaleSamples / 10)
            for waiting in lengths {
                for size in sizes {
                    progress("fleet: scaling, \(size) server(s), \(waiting) waiting: the reducer against the naive router")
                    let cell = FleetScaling.measure(servers: size, waiting: waiting, samples: scaleSamples, naiveSamples: naiveSamples)
                    let tag = "\(size)s_\(waiting)w"
                    report.add("fleet_route_\(tag)_per_s", cell.routePerSecond, .rate)
                    report.add("fleet_naive_\(tag)_per_s", cell.naivePerSecond, .rate)
                    report.add("fleet_route_vs_naive_\(tag)", cell.routePerSecond / cell.naivePerSecond, .ratio)
                    report.add("fleet_route_\(tag)_p99_us", cell.route.percentile(99), .microseconds)
                    report.add("fleet_naive_\(tag)_p99_us", cell.naive.percentile(99), .microseconds)
                }
            }
            report.notes.append(
                "scaling: the reducer's decision (a job succeeds on a server and the first waiting job is sent there, as in routing) "
                    + "against NaiveRouter deciding the same on the same state just before (it sorts the waiting jobs and counts each "
                    + "server's load from the records, and only decides: no state written, no command); every naive choice checked "
                    + "equal to the reducer's; \(scaleSamples) reducer and \(naiveSamples) naive decisions per cell; per_s = decisions "
                    + "over the sum of their times")
        }

        if parts.contains("follow") {
            let binary = comfysh ?? ReplayBenchCommand.sibling("comfysh")
            if FileManager.default.isExecutableFile(atPath: binary) {
                progress("fleet: one comfysh run following \(servers) simulated servers with \(waiting) jobs")
                let r = try await FleetFollow.run(comfysh: binary, servers: servers, jobs: waiting)
                report.add("fleet_follow_rss_mb", r.rssMB, .megabytes)
                report.add("fleet_follow_peak_rss_mb", r.peakMB, .megabytes)
                report.add("fleet_follow_ready_ms", r.readySeconds * 1000, .milliseconds)
                report.notes.append(
                    "follow: `comfysh run` with \(waiting) workflow files, --jobs (SQLite), \(servers) --server; each server holds 2 "
                        + "(TestSleep of an hour), \(waiting - r.held) wait in comfysh; RSS from /proc/PID/status once every job is "
                        + "in the job store and every server holds two (the largest over 3 s), and VmHWM (its peak, submission included); "
                        + "ready after \(JSONWriter.number((r.readySeconds * 10).rounded() / 10)) s")
                if let note = r.note { report.notes.append("follow: \(note)") }
            } else {
                report.add("fleet_follow_rss_mb", nil, .megabytes)
                report.notes.append("follow is n/a: no comfysh at \(binary) (swift build -c release --scratch-path .build-bench --product comfysh)")
            }
        }

        if parts.contains("speedup") {
            var base: Double?
            for size in sizes.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                progress("fleet: \(jobs) jobs of \(seconds) s on \(size) server(s)")
                let r = try await FleetSpeedup.run(servers: size, jobs: jobs, seconds: seconds)
                if size == 1 { base = r.seconds }
                report.add("fleet_\(size)_servers_s", r.seconds * 1000, .milliseconds)
                if let base { report.add("fleet_speedup_\(size)", base / r.seconds, .ratio) }
                report.notes.append(
                    "speed-up: \(size) server(s): \(r.succeeded)/\(jobs) succeeded, per server \(r.perServer), \(r.duplicated) run twice, "
                        + "ideal \(JSONWriter.number(Double(jobs) * seconds / Double(size))) s")
            }
        }
        report.context = [
            JSONField("machine", .string(Machine.architecture)), JSONField("cores", .number(Double(Machine.cores))),
            JSONField("date", .string(Machine.date)),
        ]
        return report
    }
}
