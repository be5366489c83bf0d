import ArgumentParser
import Foundation
import ComfyCore

#if canImport(Glibc)
import Glibc
#endif

/// `comfysh-bench replay`: `comfysh replay FILE --json` against a Python replay doing the
/// same work (`bench/python_replay.py`), on a long generated transcript
/// (`LongTranscript`), side by side: the two programs run in turn, `--runs` times each,
/// as child processes with their output thrown away; each run's wall time and peak
/// resident memory (see `ChildRun`) are read. The figures are the medians.
struct ReplayBenchCommand: ReportCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "comfysh replay --json against a Python replay, on a long transcript.")

    @Option(help: "The transcript to replay; without it one is generated (see --megabytes).")
    var transcript: String?

    @Option(help: "Keep the generated transcript at this path (and measure on it).")
    var write: String?

    @Option(help: "Size of the generated transcript, in MB.")
    var megabytes = 40.0

    @Option(help: "Runs of each program (alternating).")
    var runs = 5

    @Option(help: "The comfysh executable (default: next to this one).")
    var comfysh: String?

    @Option(help: "The folder of *.jsonl transcripts the generated one is made of.")
    var fixtures = "Tests/Fixtures/comfyui"

    @Option(help: "The Python interpreter.")
    var python = "python3"

    @Option(help: "The Python replay script.")
    var pythonScript = "bench/python_replay.py"

    @Flag(help: "Also print every figure as one JSON object on the last line.")
    var json = false

    func measure() async throws -> Report {
        var report = Report()
        let binary = comfysh ?? Self.sibling("comfysh")
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            report.notes.append(
                "replay is n/a: no comfysh at \(binary) (build it: swift build -c release --scratch-path .build-bench --product comfysh)")
            return report
        }
        let path: String
        var generated: LongTranscript.Written?
        if let transcript {
            path = transcript
        } else {
            path = write ?? FileManager.default.temporaryDirectory
                .appendingPathComponent("comfysh-bench-replay-\(ProcessInfo.processInfo.processIdentifier).jsonl").path
            progress("replay: generating a \(Int(megabytes)) MB transcript at \(path)")
            generated = try LongTranscript.write(to: path, fixtures: fixtures, bytes: Int(megabytes * 1e6))
        }
        defer { if generated != nil, write == nil { try? FileManager.default.removeItem(atPath: path) } }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let lines = generated?.lines ?? Self.countLines(path)

        // The interpreter itself, not a launcher: `python3` on PATH may be a shim (pyenv's
        // is a shell script that takes half a second to start the real one).
        let interpreter = Self.interpreter(python)
        var swift: [ChildRun] = []
        var py: [ChildRun] = []
        var pythonError: String?
        for run in 0..<runs {
            progress("replay: run \(run + 1) of \(runs): comfysh replay --json, then python")
            let s = ChildRun.run([binary, "replay", path, "--json"])
            guard s.status == 0 else {
                report.notes.append("comfysh replay exited with \(s.status)")
                return report
            }
            swift.append(s)
            let p = ChildRun.run([interpreter, pythonScript, path])
            if p.status == 0 { py.append(p) } else { pythonError = "\(python) \(pythonScript) exited with \(p.status)" }
        }
        let swiftTime = median(swift.map(\.seconds))
        let pyTime = py.isEmpty ? nil : median(py.map(\.seconds))
        report.add("replay_comfysh_ms", swiftTime * 1000, .milliseconds)
        report.add("replay_python_ms", pyTime.map { $0 * 1000 }, .milliseconds)
        report.add("replay_vs_python", ratio(pyTime, swiftTime), .ratio)
        report.add("replay_comfysh_rss_mb", swift.map(\.peakMB).max(), .megabytes)
        report.add("replay_python_rss_mb", py.map(\.peakMB).max(), .megabytes)
        report.add("replay_comfysh_lines_per_s", Double(lines) / swiftTime, .rate)
        report.add("replay_transcript_bytes", Double(size), .count)
        report.add("replay_transcript_lines", Double(lines), .count)
        report.notes.append("")
        report.notes.append(
            "replay: \(lines) lines, \(size / 1_000_000) MB (\(generated.map { "generated: \($0.passes) passes over \(LongTranscript.sources.joined(separator: ", "))" } ?? path)); "
                + "times are medians of \(runs) runs, whole processes, output to /dev/null; "
                + "comfysh \(swift.map { String(format: "%.3f", $0.seconds) }.joined(separator: " ")) s, "
                + "python \(py.map { String(format: "%.3f", $0.seconds) }.joined(separator: " ")) s")
        report.notes.append("python: \(interpreter) \(pythonScript)")
        if let pythonError { report.notes.append("python replay is n/a: \(pythonError)") }
        return report
    }

    static func sibling(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return ((me as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
    }

    /// The path of the interpreter `python` runs (`sys.executable`), or `python` itself.
    static func interpreter(_ python: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", "import sys; print(sys.executable)"]
        let out = Pipe()
        process.standardOutput = out
        guard (try? process.run()) != nil else { return python }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !path.isEmpty ? path : python
    }

    static func countLines(_ path: String) -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { return 0 }
        return data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// One child process, timed, with its peak resident memory.
///
/// The peak comes from GNU time (`/usr/bin/time -f %M`), which forks the program from its
/// own small process: Linux keeps `ru_maxrss` across `execve`, so a program spawned
/// straight from this (large) process would report this process's size when it is
/// larger than its own peak. Without /usr/bin/time the peak is `wait4`'s, an upper bound.
struct ChildRun {
    var status: Int32
    var seconds: Double
    var peakMB: Double

    static let time = "/usr/bin/time"

    /// Runs `arguments` (the first is the program's path) with stdout to /dev/null.
    static func run(_ arguments: [String]) -> ChildRun {
        let useTime = FileManager.default.isExecutableFile(atPath: time)
        let report = FileManager.default.temporaryDirectory
            .appendingPathComponent("comfysh-bench-time-\(ProcessInfo.processInfo.processIdentifier).txt").path
        let command = useTime ? [time, "-f", "%M", "-o", report] + arguments : arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Monotonic.now()
        guard posix_spawn(&pid, command[0], &actions, nil, argv, environ) == 0 else {
            return ChildRun(status: 127, seconds: 0, peakMB: 0)
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let end = Monotonic.now()
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        // KiB, on Linux, from both.
        var peakKiB = Double(usage.ru_maxrss)
        if useTime, let text = try? String(contentsOfFile: report, encoding: .utf8),
            let kib = text.split(separator: "\n").last.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) })
        {
            peakKiB = kib
        }
        try? FileManager.default.removeItem(atPath: report)
        return ChildRun(status: exit, seconds: Monotonic.seconds(from: start, to: end), peakMB: peakKiB / 1024)
    }
}
