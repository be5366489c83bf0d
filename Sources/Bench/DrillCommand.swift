import ArgumentParser
import Foundation
import ComfySimulator
import ComfyCore

/// `comfysh-bench drill`: the real `comfysh run` binary against the simulator in each
/// situation the effects issue names, with real fault durations and default settings —
/// a normal run, a failing node, a rejected prompt, a broken file, an unreachable server,
/// the connection dropped for 2 s mid-run, the connection frozen (half-open) for 12 s
/// mid-run. Prints, per case, the exit status against the expected one, how long the run
/// took and how many times the server ran the prompt.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Run `comfysh run` through faults against the simulator (about a minute).")

    @Option(help: "Seconds the connection stays down in the drop case.")
    var drop = 2.0

    @Option(help: "Seconds the connection stays frozen in the half-open case.")
    var freeze = 12.0

    struct Case {
        var name: String
        var expected: Int32
        var middle = "TestProgressLoop"
        var server = true
        var brokenFile = false
        /// What to do to the server once the prompt has run 3 steps.
        var fault: (@Sendable (ComfyUISimulator) async -> Void)?
    }

    func run() async throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("comfysh")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw ValidationError("no comfysh binary next to this one (\(binary.path)): build it first")
        }
        let (drop, freeze) = (drop, freeze)
        let cases = [
            Case(name: "normal run", expected: 0),
            Case(name: "failing node", expected: 1, middle: "TestFail"),
            Case(name: "rejected prompt", expected: 2, middle: "NoSuchNode"),
            Case(name: "broken file", expected: 2, brokenFile: true),
            Case(name: "unreachable server", expected: 3, server: false),
            Case(name: "dropped for \(Int(drop)) s mid-run", expected: 0, fault: { simulator in
                await simulator.setRefusing(status: 503)
                await simulator.dropAllConnections()
                try? await Task.sleep(for: .milliseconds(Int(drop * 1000)))
                await simulator.setRefusing(status: nil)
            }),
            Case(name: "frozen (half-open) for \(Int(freeze)) s mid-run", expected: 0, fault: { simulator in
                await simulator.setStalled(true)
                try? await Task.sleep(for: .milliseconds(Int(freeze * 1000)))
                await simulator.setStalled(false)
            }),
        ]
        var lines = ["case                                    expected  exit  seconds  server ran  verdict"]
        var failures = 0
        for c in cases {
            let result = try await drill(c, binary: binary)
            let ok = result.status == c.expected && (c.expected != 0 || result.runs == 1)
            if !ok { failures += 1 }
            let name: String = c.name.padding(toLength: 40, withPad: " ", startingAt: 0)
            let expected: String = "\(c.expected)".padding(toLength: 10, withPad: " ", startingAt: 0)
            let status: String = "\(result.status)".padding(toLength: 6, withPad: " ", startingAt: 0)
            let seconds: String = String(format: "%7.1f", result.seconds)
            let runs: String = (result.runs.map { "\($0)×" } ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0)
            let verdict: String = ok ? "ok" : "WRONG: \(result.detail)"
            lines.append(name + expected + status + seconds + "  " + runs + verdict)
        }
        print(lines.joined(separator: "\n"))
        if failures > 0 { throw ExitCode(1) }
    }

    struct Result {
        var status: Int32
        var seconds: Double
        var runs: Int?
        var detail: String
    }

    func drill(_ c: Case, binary: URL) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-drill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("workflow.json")
        try Data((c.brokenFile ? "{\"1\": {" : Self.workflow(middle: c.middle)).utf8).write(to: file)

        let simulator = ComfyUISimulator()
        try await simulator.start()
        await simulator.setPaused(true)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", file.path, "--json", "--server", c.server ? simulator.baseURL : "http://127.0.0.1:1", "--connect-timeout", "3"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        let started = ContinuousClock.now
        try process.run()
        let reader = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }

        if c.server, !c.brokenFile, c.expected != 2 {
            // Hold the worker three steps into the prompt, then strike.
            while await simulator.queueRemaining == 0, process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
            await simulator.advance(steps: 3)
            if let fault = c.fault { await fault(simulator) }
        }
        await simulator.setPaused(false)
        let output = String(decoding: await reader.value, as: UTF8.self)
        process.waitUntilExit()
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        let summary = output.split(separator: "\n").last.flatMap { try? JSONValue.parse(String($0)) }
        var runs: Int?
        if let id = summary?["prompt_id"]?.stringValue { runs = await simulator.executionCount(of: id) }
        await simulator.stop()
        return Result(status: process.terminationStatus, seconds: seconds, runs: runs, detail: String(output.suffix(300)))
    }

    static func workflow(middle: String) -> String {
        let inputs =
            middle == "TestFail"
            ? #"{"image": ["1", 0], "message": "deliberate failure", "steps_before_fail": 4, "seed": 1}"#
            : #"{"image": ["1", 0], "steps": 10, "delay": 0.2, "preview": true, "preview_size": 64, "progress_text": true, "seed": \#(Int.random(in: 0..<1_000_000_000))}"#
        return #"""
            {"1": {"class_type": "EmptyImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, "color": 0}},
             "2": {"class_type": "\#(middle)", "inputs": \#(inputs)},
             "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "comfy_test/drill"}}}
            """#
    }
}
