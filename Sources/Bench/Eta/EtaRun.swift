import ComfyCore
import Foundation

/// One `comfysh run FILE --json` (a process of its own), its output lines timed as they
/// arrive, and how its ETAs compare with what was really left.
struct EtaRun {
    /// One progress event: when it arrived, what it said, and what was really left.
    struct Sample {
        var at: Double
        var eta: Double?
        var basis: String?
        var node: String?
        var value: Double
        var left = 0.0
    }

    var samples: [Sample] = []
    /// From the prompt's start (its `running` event) to its end (`succeeded`), seconds.
    var length = 0.0
    var succeeded = false
    /// What went wrong, for a run that did not succeed: its error output and last lines.
    var stderr = ""

    /// Mean |ETA − time left| over the events, as a share of the run's length; an event
    /// without an ETA counts as an ETA of 0 (as wrong as saying nothing).
    var errorShare: Double {
        guard !samples.isEmpty, length > 0 else { return .nan }
        return samples.map { abs(($0.eta ?? 0) - $0.left) }.reduce(0, +) / Double(samples.count) / length
    }

    /// Events with an ETA, of all.
    var withETA: Int { samples.filter { $0.eta != nil }.count }
    var lowerBounds: Int { samples.filter { $0.basis == "lower_bound" }.count }
    /// Lower bounds that were not (said "at least x" with less than x left), 2 % of the run
    /// allowed for the pipe's and the reader's delay.
    var brokenBounds: Int { samples.filter { $0.basis == "lower_bound" && ($0.eta ?? 0) > $0.left + 0.02 * length }.count }

    /// Times the ETA rose from one step to the next of the same node by more than 2 % of
    /// the run (the steps' own jitter aside, a steady node must never make it rise).
    var rises: Int {
        zip(samples, samples.dropFirst()).filter { a, b in
            a.node == b.node && b.value > a.value && a.value > 0 && a.basis == b.basis
                && (b.eta ?? 0) > (a.eta ?? .infinity) + 0.02 * length
        }.count
    }

    static func run(comfysh: String, file: String, server: String, jobStore: String, state: String) throws -> EtaRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: comfysh)
        process.arguments = ["run", file, "--server", server, "--jobs", jobStore, "--json"]
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = state
        environment.removeValue(forKey: "COMFY_URL")
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let clock = ContinuousClock()
        let origin = clock.now
        try process.run()
        // Read on this thread, a line at a time, each timed as it arrives: `comfysh` writes
        // every line straight to its descriptor (unbuffered).
        var lines: [(at: Double, text: Substring)] = []
        var pending = Data()
        let handle = out.fileHandleForReading
        while true {
            let chunk = handle.availableData
            let at = (clock.now - origin).inSeconds
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 10) {
                lines.append((at, Substring(decoding: pending[pending.startIndex..<newline], as: UTF8.self)))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        process.waitUntilExit()
        var result = EtaRun()
        result.stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            + lines.suffix(3).map { "\n" + $0.text }.joined()
        var start: Double?
        var end: Double?
        for (at, text) in lines {
            guard let event = try? JSONValue.parse(Array(text.utf8)), let kind = event["event"]?.stringValue else { continue }
            switch kind {
            case "running": start = start ?? at
            case "succeeded":
                end = at
                result.succeeded = true
            case "progress":
                result.samples.append(Sample(
                    at: at, eta: event["eta_seconds"]?.doubleValue, basis: event["eta_basis"]?.stringValue, node: event["node"]?.stringValue,
                    value: event["value"]?.doubleValue ?? 0))
            default: break
            }
        }
        if let start, let end {
            result.length = end - start
            result.samples = result.samples.filter { $0.at >= start }.map { var s = $0; s.left = end - s.at; return s }
        }
        return result
    }
}
