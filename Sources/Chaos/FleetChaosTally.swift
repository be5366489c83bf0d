import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation

/// What the fleet's chaos run found: what struck, how comfysh was killed and resumed, and
/// the verdict — the job store against the servers' ledgers.
public struct FleetChaosTally: Sendable {
    public var jobs = 0
    public var seed: UInt64 = 0
    public var seconds = 0.0
    /// comfysh processes started (the first run and each `--resume`).
    public var runs = 0
    /// When comfysh was killed (seconds since the start) and how many runs the servers had
    /// completed by then.
    public var kills: [(seconds: Double, completed: Int)] = []
    /// Unfinished jobs each `--resume` took up.
    public var resumed: [Int] = []
    public var stoppedAt: Double?
    public var stoppedAfter: Int?
    /// Runs the doomed server completed that the job store did not have ended when it was
    /// stopped for good (the run waits up to 15 s for comfysh to hear of each): once it
    /// stopped, no client could learn of them — its history went with it.
    public var unheardOnDoomed: Set<String> = []
    public var drops = 0
    public var refusals = 0
    public var timedOut = false
    public var lastExit: Int32 = 0
    public var lastOutput: [String] = []

    public var succeeded = 0
    /// Failed, as built to (`TestFail`).
    public var failedByDesign = 0
    /// Jobs per server they completed on.
    public var perServer: [String: Int] = [:]
    /// Jobs sent to more than one server (a lost server's, a refused submission's).
    public var movedOn = 0
    /// Not in the job store, or not ended succeeded or failed.
    public var lost: [String] = []
    /// Completed by the servers more than once.
    public var duplicated: [String] = []
    /// Completed twice, where the first run was one no client could know of: on the doomed
    /// server, unheard of when it stopped (`unheardOnDoomed`), and the job store names the
    /// other server. As `CompletedRun.life` is for the single server's verdict: "a job
    /// never completes twice where a client can know it". Reported, not a failure.
    public var unknowable: [String] = []
    /// Ended otherwise than designed (a job built to fail succeeded, or one built to
    /// succeed failed), or differently from what the servers say.
    public var wrong: [String] = []

    public var passed: Bool { !timedOut && lost.isEmpty && duplicated.isEmpty && wrong.isEmpty && kills.count >= 2 && stoppedAt != nil }

    /// Judges `rows` (the job store) against `ledger` (every server's completed runs).
    mutating func judge(rows: [JobRow], ledger: [String: [(server: String, run: CompletedRun)]], jobs: Int) {
        if rows.count < jobs { lost.append("\(jobs - rows.count) job(s) not in the job store") }
        // A run no job of the store accounts for: work nobody asked for, or a job lost from the store.
        let known = Set(rows.map(\.id))
        for (id, runs) in ledger.sorted(by: { $0.key < $1.key }) where !known.contains(id) {
            wrong.append("\(id): completed on \(runs.map(\.server).joined(separator: ", ")), not in the job store")
        }
        for row in rows {
            let designedToFail = row.label?.hasSuffix("-fail.json") == true
            var runs = ledger[row.id] ?? []
            let places = runs.map(\.server).joined(separator: ", ")
            // A run no client could know of is set aside only when the job store shows
            // that none did: the job ended on another server.
            if runs.count > 1, unheardOnDoomed.contains(row.id), row.server != Self.doomed,
                let first = runs.firstIndex(where: { $0.server == Self.doomed })
            {
                runs.remove(at: first)
                if runs.count == 1 { unknowable.append("\(row.id): completed on \(places); doomed's run was unheard of when it stopped") }
            }
            if runs.count > 1 { duplicated.append("\(row.id): completed \(ledger[row.id]!.count) times (\(places))") }
            if row.sentTo.count > 1 { movedOn += 1 }
            switch row.status {
            case .succeeded where !designedToFail, .failed where designedToFail:
                if row.status == .succeeded { succeeded += 1 } else { failedByDesign += 1 }
                let expected = row.status == .succeeded ? "success" : "error"
                if runs.last?.run.status != expected {
                    wrong.append("\(row.id): \(row.status.rawValue), the servers say \(runs.last.map { "\($0.run.status) on \($0.server)" } ?? "it never completed")")
                } else if let server = runs.last?.server {
                    perServer[server, default: 0] += 1
                    if row.server != server { wrong.append("\(row.id): the job store says \(row.server ?? "no server"), it completed on \(server)") }
                }
            case .succeeded, .failed:
                wrong.append("\(row.id) (\((row.label.map { ($0 as NSString).lastPathComponent }) ?? "?")): \(row.status.rawValue)")
            default:
                lost.append("\(row.id): \(row.status.rawValue) on \(row.server ?? "no server") (sent to \(row.sentTo.joined(separator: ", ")))")
            }
        }
    }

    /// The server stopped for good mid-run.
    static let doomed = "doomed"

    static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    public var lines: [String] {
        var out = [
            "chaos --fleet: \(jobs) jobs on 3 servers (doomed, flapping, slow) in \(Self.fixed(seconds, 1)) s, seed \(seed)",
            "comfysh: \(runs) processes, killed (SIGKILL) \(kills.count)× — "
                + kills.map { "at \(Self.fixed($0.seconds, 1)) s after \($0.completed) completions" }.joined(separator: ", ")
                + "; resumed \(resumed.map(String.init).joined(separator: " and ")) unfinished job(s)",
            "faults: doomed stopped for good \(stoppedAt.map { "at \(Self.fixed($0, 1)) s after \(stoppedAfter ?? 0) completions" } ?? "never")"
                + (unheardOnDoomed.isEmpty ? "" : " (\(unheardOnDoomed.count) of its runs unheard of then)") + "; "
                + "flapping: \(drops) drops, \(refusals) 503 windows; slow: 4× the step time",
            "outcome: \(succeeded) succeeded, \(failedByDesign) failed by design, \(lost.count) lost, \(duplicated.count) completed twice, "
                + "\(wrong.count) wrong; \(movedOn) moved to another server; per server "
                + perServer.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + "; last comfysh exit \(lastExit)\(timedOut ? " (timed out)" : "")",
        ]
        for problem in (lost.map { "lost: \($0)" } + duplicated.map { "twice: \($0)" } + wrong.map { "wrong: \($0)" }).prefix(20) {
            out.append("  ✘ " + problem)
        }
        for note in unknowable.prefix(20) { out.append("  · twice where no client could know: " + note) }
        if !passed { out += lastOutput.map { "  comfysh: " + $0 } }
        out.append(passed ? "✔ 0 lost, 0 completed twice, every job succeeded or failed by design" : "✘ the job store does not match the servers' ledgers")
        return out
    }

    public var json: JSONValue {
        .object([
            JSONField("jobs", .number(Double(jobs))),
            JSONField("seconds", .number((seconds * 10).rounded() / 10)),
            JSONField("seed", .number(Double(seed))),
            JSONField("comfysh_runs", .number(Double(runs))),
            JSONField("kills", .number(Double(kills.count))),
            JSONField("resumed", .array(resumed.map { .number(Double($0)) })),
            JSONField("doomed_stopped_at_s", stoppedAt.map { .number(($0 * 10).rounded() / 10) } ?? .null),
            JSONField("flapping_drops", .number(Double(drops))),
            JSONField("flapping_503_windows", .number(Double(refusals))),
            JSONField("succeeded", .number(Double(succeeded))),
            JSONField("failed_by_design", .number(Double(failedByDesign))),
            JSONField("moved_on", .number(Double(movedOn))),
            JSONField("lost", .number(Double(lost.count))),
            JSONField("duplicated", .number(Double(duplicated.count))),
            JSONField("unknowable_twice", .number(Double(unknowable.count))),
            JSONField("unheard_on_doomed", .number(Double(unheardOnDoomed.count))),
            JSONField("wrong", .number(Double(wrong.count))),
            JSONField("per_server", .object(perServer.sorted { $0.key < $1.key }.map { JSONField($0.key, .number(Double($0.value))) })),
            JSONField("passed", .bool(passed)),
        ])
    }
}
