/// When a job that has not started is expected to start and end: from the ETA of what each
/// server runs, the learned run times of the prompts before it (``DurationBook``), and — for
/// the jobs in our own queue, not yet sent — the server expected to be free first.
public struct JobForecast: Sendable, Equatable {
    /// The job.
    public var promptID: String
    /// Where it waits, or — in our own queue — the server expected to take it.
    public var server: String?
    /// Seconds from the forecast's time until it starts; nil when nothing is known.
    public var startsIn: Double?
    /// Seconds from the forecast's time until it ends; nil when its own run time is not known.
    public var endsIn: Double?
    /// How sure: `.lowerBound` when something before it (or it) has never been timed, so it
    /// starts (or ends) no earlier than said.
    public var basis: EstimateBasis
}

extension AppState {
    /// The forecast of every job of ours that waits (on a server, then in our own queue, in
    /// order), at most `limit` of our own queue's, as of `now` (the caller's clock, on the
    /// scale of the actions' timestamps).
    public func forecast(at now: Timestamp, limit: Int = 100) -> [JobForecast] {
        // When each server is free, and how sure that is.
        var free: [String: (seconds: Double, basis: EstimateBasis)] = [:]
        var out: [JobForecast] = []
        for server in servers {
            var at = 0.0
            var basis = EstimateBasis.workflow
            let running = queue.runningIDs(on: server.name)
            if !running.isEmpty {
                let p = server.progress
                if let eta = p.etaSeconds, let id = p.promptID, running.contains(id) {
                    at = Swift.max(eta - (now - (p.updatedAt ?? now)), 0)
                    basis = Swift.max(basis, p.etaBasis ?? .lowerBound)
                } else {
                    basis = .lowerBound
                }
            }
            // What it holds in run order, ours sent but not yet answered included (last).
            let held = queue.unfinishedRecords(on: server.name).filter { $0.status == .queued }
                .sorted { ($0.number ?? .infinity, $0.seen) < ($1.number ?? .infinity, $1.seen) }
            for record in held {
                let id = record.id
                let seconds = record.workflowKey.flatMap { estimates.seconds(ofWorkflow: $0, on: server.name) }
                if seconds == nil { basis = .lowerBound }
                if record.owner == .ours {
                    out.append(JobForecast(promptID: id, server: server.name, startsIn: at, endsIn: seconds.map { at + $0 }, basis: basis))
                }
                at += seconds ?? 0
            }
            free[server.name] = (at, basis)
        }
        // Our own queue: each job to the server (among those it may use and that are not
        // lost) expected to be free first.
        // The first `limit` of our queue, read from its order (`waitingIDs` would list all).
        for id in queue.waitingKeys(after: nil, limit: Swift.max(limit, 0)).map(\.id) {
            guard let record = queue.records[id] else { continue }
            let candidates = servers.filter { $0.status != .lost && (record.pinned?.contains($0.name) ?? true) }.map(\.name)
            guard let name = candidates.min(by: { free[$0]!.seconds < free[$1]!.seconds }) else {
                out.append(JobForecast(promptID: id, server: nil, startsIn: nil, endsIn: nil, basis: .lowerBound))
                continue
            }
            var (at, basis) = free[name]!
            let seconds = record.workflowKey.flatMap { estimates.seconds(ofWorkflow: $0, on: name) }
            out.append(JobForecast(promptID: id, server: name, startsIn: at, endsIn: seconds.map { at + $0 }, basis: seconds == nil ? .lowerBound : basis))
            if seconds == nil { basis = .lowerBound }
            at += seconds ?? 0
            free[name] = (at, basis)
        }
        return out
    }
}
