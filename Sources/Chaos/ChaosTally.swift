import Foundation
import ComfyCore

/// What a chaos run found: the faults it struck with, what the client did, and the
/// verdict — the client's state against the simulator's own record of every prompt.
public struct ChaosTally: Sendable {
    public var prompts = 0
    public var seconds = 0.0
    public var faults: [ChaosFault: Int] = [:]
    /// Seconds from a fault's end to the client being online (connected and resynced).
    public var recoveries: [Double] = []
    /// The same, for the faults that cost the connection (it was down when the fault
    /// ended, or had been replaced).
    public var outageRecoveries: [Double] = []
    public var reconnectAttempts = 0
    /// The most connection attempts that started within any one second.
    public var maxAttemptsPerSecond = 0
    public var connects = 0
    public var resyncs = 0
    public var resubmitted = 0
    public var succeeded = 0
    public var failed = 0
    /// Ended neither succeeded nor failed (or never ended).
    public var lost: [String] = []
    /// Run to completion more than once by the server.
    public var duplicated: [String] = []
    /// Prompts still queued/running, and nodes still "running", in the final state.
    public var stuckPrompts: [String] = []
    public var stuckNodes = 0
    /// Status or outputs different from the server's record.
    public var mismatches: [String] = []
    public var rssStartMB = 0.0
    public var rssEndMB = 0.0
    public var rssPeakMB = 0.0
    public var seed: UInt64 = 0
    /// The client's last log entries, shown when the verdict is a failure.
    public var lastLog: [String] = []

    /// No storm: the backoff and the breaker keep attempts to a handful per second.
    public static let stormAttemptsPerSecond = 10

    public var passed: Bool {
        lost.isEmpty && duplicated.isEmpty && stuckPrompts.isEmpty && stuckNodes == 0 && mismatches.isEmpty
            && maxAttemptsPerSecond <= Self.stormAttemptsPerSecond
    }

    public var medianRecovery: Double { Self.median(recoveries) }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    public var lines: [String] {
        var out = [
            "chaos: \(prompts) prompts in \(Self.fixed(seconds, 1)) s, seed \(seed)",
            "faults: \(faults.values.reduce(0, +)) — " + ChaosFault.allCases.map { "\($0.rawValue) \(faults[$0] ?? 0)" }.joined(separator: ", "),
            "client: \(connects) connections, \(reconnectAttempts) reconnect attempts (at most \(maxAttemptsPerSecond) in one second), \(resyncs) resyncs, \(resubmitted) resubmitted",
            "recovery (fault over → online and resynced): median \(Self.fixed(medianRecovery * 1000, 0)) ms, max \(Self.fixed((recoveries.max() ?? 0) * 1000, 0)) ms over \(recoveries.count) faults; after the \(outageRecoveries.count) that cost the connection: median \(Self.fixed(Self.median(outageRecoveries) * 1000, 0)) ms, max \(Self.fixed((outageRecoveries.max() ?? 0) * 1000, 0)) ms",
            "outcome: \(succeeded) succeeded, \(failed) failed (by design), \(lost.count) lost, \(duplicated.count) run twice, \(stuckPrompts.count) prompts and \(stuckNodes) nodes stuck, \(mismatches.count) differ from the server",
            "memory: RSS \(Self.fixed(rssStartMB, 1)) MB at start, \(Self.fixed(rssEndMB, 1)) MB at the end, peak \(Self.fixed(rssPeakMB, 1)) MB",
        ]
        for problem in (lost.map { "lost: \($0)" } + duplicated.map { "run twice: \($0)" } + stuckPrompts.map { "stuck: \($0)" } + mismatches).prefix(20) {
            out.append("  ✘ " + problem)
        }
        if !passed { out += lastLog.map { "  log: " + $0 } }
        out.append(passed ? "✔ nothing lost, nothing run twice, nothing stuck, no storm" : "✘ the client's state does not match the server's")
        return out
    }

    public var json: JSONValue {
        .object([
            JSONField("prompts", .number(Double(prompts))),
            JSONField("seconds", .number(seconds)),
            JSONField("seed", .number(Double(seed))),
            JSONField("faults", .object(ChaosFault.allCases.map { JSONField($0.rawValue, .number(Double(faults[$0] ?? 0))) })),
            JSONField("connects", .number(Double(connects))),
            JSONField("reconnect_attempts", .number(Double(reconnectAttempts))),
            JSONField("max_attempts_per_second", .number(Double(maxAttemptsPerSecond))),
            JSONField("resyncs", .number(Double(resyncs))),
            JSONField("resubmitted", .number(Double(resubmitted))),
            JSONField("recovery_median_ms", .number((medianRecovery * 1000).rounded())),
            JSONField("recovery_max_ms", .number(((recoveries.max() ?? 0) * 1000).rounded())),
            JSONField("outages", .number(Double(outageRecoveries.count))),
            JSONField("outage_recovery_median_ms", .number((Self.median(outageRecoveries) * 1000).rounded())),
            JSONField("outage_recovery_max_ms", .number(((outageRecoveries.max() ?? 0) * 1000).rounded())),
            JSONField("succeeded", .number(Double(succeeded))),
            JSONField("failed", .number(Double(failed))),
            JSONField("lost", .number(Double(lost.count))),
            JSONField("duplicated", .number(Double(duplicated.count))),
            JSONField("stuck", .number(Double(stuckPrompts.count + stuckNodes))),
            JSONField("mismatches", .number(Double(mismatches.count))),
            JSONField("rss_start_mb", .number(rssStartMB)),
            JSONField("rss_end_mb", .number(rssEndMB)),
            JSONField("rss_peak_mb", .number(rssPeakMB)),
            JSONField("passed", .bool(passed)),
        ])
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
