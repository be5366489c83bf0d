import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One real `comfysh run` (the release binary next to this one, with its job store)
/// following `servers` simulated servers in this process with `jobs` jobs: each server
/// holds two (one running for an hour, one waiting there), the rest wait in comfysh's own
/// queue. Its resident memory is read from `/proc/PID/status` once it has submitted them
/// all and the servers hold theirs: now (sampled for a few seconds, the largest) and its
/// peak since it started (submission included).
enum FleetFollow {
    struct Result {
        var rssMB: Double?
        var peakMB: Double?
        /// From launch to every job written to the job store and every server holding two.
        var readySeconds: Double
        var held: Int
        var note: String?
    }

    static func run(comfysh: String, servers: Int, jobs: Int, sampleSeconds: Double = 3) async throws -> Result {
        var simulators: [ComfyUISimulator] = []
        do {
            let result = try await run(comfysh: comfysh, servers: servers, jobs: jobs, sampleSeconds: sampleSeconds, simulators: &simulators)
            for simulator in simulators { await simulator.stop() }
            return result
        } catch {
            for simulator in simulators { await simulator.stop() }
            throw error
        }
    }

    static func run(
        comfysh: String, servers: Int, jobs: Int, sampleSeconds: Double, simulators: inout [ComfyUISimulator]
    ) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-bench-fleet-\(getpid())")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        for _ in 0..<servers {
            let simulator = ComfyUISimulator()
            try await simulator.start()
            simulators.append(simulator)
        }
        var files: [String] = []
        files.reserveCapacity(jobs)
        for index in 0..<jobs {
            let path = folder.appendingPathComponent(String(format: "job%05d.json", index)).path
            // An hour each: the ones a server takes hold it, the rest wait.
            let text = #"""
                {"1": {"class_type": "EmptyImage", "inputs": {"width": 16, "height": 16, "batch_size": 1, "color": 0}},
                 "2": {"class_type": "TestSleep", "inputs": {"image": ["1", 0], "seconds": 3600, "tick": 1, "seed": \#(index + 1)}},
                 "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "fleet/follow"}}}
                """#
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        let jobStore = folder.appendingPathComponent("jobs.sqlite").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: comfysh)
        process.arguments = ["run"] + files + simulators.enumerated().flatMap { ["--server", "s\($0.offset)=\($0.element.baseURL)"] } + [
            "--jobs", jobStore, "--json",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = folder.appendingPathComponent("state").path
        environment.removeValue(forKey: "COMFY_URL")
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let errorText = Task.detached { String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
        let started = ContinuousClock.now
        try process.run()
        let pid = process.processIdentifier

        // Ready: the last file's job is in the job store (they are written in order, before
        // each is sent) and every server holds two.
        let lastName = (files.last! as NSString).lastPathComponent
        var store: SQLiteJobStore?
        var ready = false
        var held = 0
        let deadline = ContinuousClock.now + .seconds(600)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            if store == nil { store = try? SQLiteJobStore(path: jobStore, writer: false) }
            guard let store, let newest = try? await store.recent(limit: 1).first, newest.label.map({ $0.hasSuffix(lastName) }) == true
            else { continue }
            held = 0
            for simulator in simulators { held += await simulator.queueRemaining }
            if held == 2 * servers {
                ready = true
                break
            }
        }
        let readySeconds = (ContinuousClock.now - started).inSeconds
        var rss: Double?
        if ready {
            let end = ContinuousClock.now + .milliseconds(Int(sampleSeconds * 1000))
            while ContinuousClock.now < end {
                if let now = Self.field("VmRSS:", pid: pid) { rss = max(rss ?? 0, now) }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let peak = Self.field("VmHWM:", pid: pid)
        let wasRunning = process.isRunning
        if wasRunning {
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        let stderr = await errorText.value
        var note: String?
        if !ready {
            note = wasRunning
                ? "comfysh did not reach the steady state within 600 s (servers hold \(held) of \(2 * servers))"
                : "comfysh exited (\(process.terminationStatus)) before the steady state: \(stderr.suffix(300))"
        }
        return Result(rssMB: rss, peakMB: peak, readySeconds: readySeconds, held: held, note: note)
    }

    /// A `/proc/PID/status` field in MiB.
    static func field(_ name: String, pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let digits = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            if let kb = digits.flatMap({ Double($0) }) { return kb / 1024 }
        }
        return nil
    }
}
