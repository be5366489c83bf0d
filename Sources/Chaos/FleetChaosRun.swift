import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The fleet's chaos run: three simulators in this process on fixed ports — `doomed`
/// (stopped for good mid-run), `flapping` (its sockets dropped, or refused with 503 for
/// short windows, again and again), `slow` (four times slower) — and `comfysh run` (the
/// binary given) as a subprocess with a job store, killed with SIGKILL at random moments
/// and started again with `--resume`. The verdict compares the job store with the servers'
/// own ledgers: nothing lost, nothing completed twice, every job succeeded or failed by design.
public struct FleetChaosRun: Sendable {
    public let plan: FleetChaosPlan
    /// The `comfysh` executable.
    public let comfysh: String

    public init(plan: FleetChaosPlan, comfysh: String) {
        self.plan = plan
        self.comfysh = comfysh
    }

    public static let names = ["doomed", "flapping", "slow"]

    public func run(note: @escaping @Sendable (String) -> Void = { _ in }) async throws -> FleetChaosTally {
        let started = ContinuousClock.now
        var random = SeededRandom(seed: plan.seed)
        var tally = FleetChaosTally()
        tally.jobs = plan.jobs
        tally.seed = plan.seed

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-fleet-chaos-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let keep = plan.keepFolder
        defer { if keep { note("kept \(folder.path)") } else { try? FileManager.default.removeItem(at: folder) } }

        // No server restarts within the run (the doomed one stops for good), so each keeps
        // its address from start to end: ports picked by the system (basePort 0) do too.
        let basePort = self.plan.basePort
        func port(_ offset: Int) -> Int { basePort == 0 ? 0 : basePort + offset }
        let doomed = ComfyUISimulator(configuration: .init(port: port(0), stepDelay: plan.stepDelay))
        let flapping = ComfyUISimulator(configuration: .init(port: port(1), stepDelay: plan.stepDelay))
        let slow = ComfyUISimulator(configuration: .init(port: port(2), stepDelay: plan.slowStepDelay))
        let simulators = [doomed, flapping, slow]
        for simulator in simulators { try await simulator.start() }

        // The jobs: one file each, a seed each (so no server's cache answers one unrun).
        var files: [String] = []
        for index in 0..<plan.jobs {
            let fails = plan.failEvery > 0 && index % plan.failEvery == plan.failEvery - 1
            let path = folder.appendingPathComponent(String(format: "job%03d%@.json", index, fails ? "-fail" : "")).path
            let graph = ChaosWorkflow.make(steps: plan.steps, fails: fails, seed: random.next() % 1_000_000_000).graph
            try Data(JSONWriter.string(graph).utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let jobStore = folder.appendingPathComponent("jobs.sqlite").path
        let servers = zip(Self.names, simulators).flatMap { ["--server", "\($0)=\($1.baseURL)"] }
        var environment = ProcessInfo.processInfo.environment
        // Every process keeps the same client id (a state folder of the run's own).
        environment["XDG_STATE_HOME"] = folder.appendingPathComponent("state").path
        environment.removeValue(forKey: "COMFY_URL")
        environment.removeValue(forKey: "COMFY_TOKEN")
        // Kept for a post-mortem: every comfysh's reducer log and HTTP answers, in one file.
        if plan.keepFolder { environment["COMFYSH_TRACE"] = folder.appendingPathComponent("trace.log").path }

        var runs = 0
        func launch(_ arguments: [String]) throws -> Process {
            runs += 1
            let process = Process()
            process.executableURL = URL(fileURLWithPath: comfysh)
            process.arguments = arguments
            process.environment = environment
            let out = folder.appendingPathComponent("run\(runs).out").path
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: out)
            process.standardError = process.standardOutput
            try process.run()
            note("comfysh run #\(runs) started (pid \(process.processIdentifier))\(arguments.contains("--resume") ? ", --resume" : "")")
            return process
        }
        func completed() async -> Int {
            var n = 0
            for simulator in simulators { n += await simulator.completedRuns.values.reduce(0) { $0 + $1.count } }
            return n
        }

        // The flapping server's faults, for the whole run.
        let plan = plan
        let faults = Mutex((drops: 0, refusals: 0))
        let flapper = Task {
            var random = SeededRandom(seed: plan.seed ^ 0xF1A9)
            while !Task.isCancelled {
                try? await Task.sleep(for: plan.flapEvery * Double.random(in: 0.5...1.5, using: &random))
                if Task.isCancelled { break }
                if plan.refuseOneIn > 0, Int.random(in: 0..<plan.refuseOneIn, using: &random) == 0 {
                    let window = Double.random(in: plan.refuseWindow, using: &random)
                    await flapping.setRefusing(status: 503)
                    await flapping.dropAllConnections()
                    try? await Task.sleep(for: .milliseconds(Int(window * 1000)))
                    await flapping.setRefusing(status: nil)
                    faults.withLock { $0.refusals += 1 }
                } else {
                    await flapping.dropAllConnections()
                    faults.withLock { $0.drops += 1 }
                }
            }
        }

        let killTargets = plan.killAt.map { Int(Double(plan.jobs) * Double.random(in: $0, using: &random)) }
        let stopTarget = Int(Double(plan.jobs) * Double.random(in: plan.stopAt, using: &random))
        let readOnly = { () -> SQLiteJobStore? in try? SQLiteJobStore(path: jobStore, writer: false) }

        var process = try launch(["run"] + files + servers + ["--jobs", jobStore])
        var kills = 0
        var stopped = false
        let deadline = ContinuousClock.now + plan.deadline
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            let done = await completed()
            if !stopped, kills >= 1, done >= stopTarget {
                // Stopped for good mid-run, while comfysh is running: held at a step of the
                // job it runs, and once comfysh has heard of every run it completed (a run
                // it ended just before dying is one no client could know of).
                await doomed.setPaused(true)
                await doomed.advance(steps: 0)
                let ledger = await doomed.completedRuns
                let store = readOnly()
                let heard = ContinuousClock.now + .seconds(15)
                var unheard = Set(ledger.keys)
                while ContinuousClock.now < heard {
                    for id in unheard {
                        let row = try? await store?.job(matching: id)
                        if row?.status.isTerminal == true { unheard.remove(id) }
                    }
                    if unheard.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                // Given up waiting: what the job store did not have ended then, no client
                // can learn from this server any more (the verdict tells them apart).
                tally.unheardOnDoomed = unheard
                await doomed.stop()
                stopped = true
                tally.stoppedAt = (ContinuousClock.now - started).seconds
                tally.stoppedAfter = done
                note("doomed stopped for good after \(done) completed runs")
                continue
            }
            if kills < killTargets.count, done >= killTargets[kills], kills == 0 || stopped {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                kills += 1
                tally.kills.append((seconds: (ContinuousClock.now - started).seconds, completed: done))
                note("comfysh killed (SIGKILL) after \(done) completed runs")
                process = try launch(["run", "--resume"] + servers + ["--jobs", jobStore])
            }
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            tally.timedOut = true
        }
        process.waitUntilExit()
        tally.lastExit = process.terminationStatus
        flapper.cancel()
        _ = await flapper.value
        await flapping.setRefusing(status: nil)
        let counted = faults.withLock { $0 }
        tally.drops = counted.drops
        tally.refusals = counted.refusals
        tally.runs = runs
        for run in 1...runs {
            let text = (try? String(contentsOfFile: folder.appendingPathComponent("run\(run).out").path, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("· resumed ") {
                tally.resumed.append(Int(line.dropFirst("· resumed ".count).prefix { $0.isNumber }) ?? 0)
            }
            if run == runs { tally.lastOutput = text.split(separator: "\n").suffix(8).map(String.init) }
        }

        // The verdict: the job store against the servers' ledgers.
        var ledger: [String: [(server: String, run: CompletedRun)]] = [:]
        for (name, simulator) in zip(Self.names, simulators) {
            for (id, completed) in await simulator.completedRuns { ledger[id, default: []] += completed.map { (name, $0) } }
        }
        let rows = (try? await readOnly()?.recent(limit: plan.jobs * 10)) ?? []
        tally.judge(rows: rows, ledger: ledger, jobs: plan.jobs)
        for simulator in [flapping, slow] { await simulator.stop() }
        if !stopped { await doomed.stop() }
        tally.seconds = (ContinuousClock.now - started).seconds
        return tally
    }
}
