import ComfyCore

/// The baseline the routing figures are compared with: the obvious router, written over
/// the public state. On each decision it reads every record to list the jobs waiting (and
/// sorts them: priority, then submission order) and to count what each server holds, then
/// gives the first job that fits to the least loaded server that can run it — the same
/// rule as the reducer's, without its indexes.
///
/// It only decides (it changes no state and builds no command), so the ratio against the
/// reducer, which also records the completion and sends the job, understates the gap.
enum NaiveRouter {
    /// The job to send and where, once `freed`'s running job has succeeded (counted as
    /// gone from it), or nil. Every job of the benchmark has the shape of `graph`.
    static func decide(_ state: AppState, freed: String, graph: JSONValue) -> (id: String, server: String)? {
        var held: [String: Int] = [:]
        var waiting: [PromptRecord] = []
        for record in state.queue.prompts.values {
            switch record.status {
            case .waiting: waiting.append(record)
            case .queued, .running: if let server = record.server { held[server, default: 0] += 1 }
            default: break
            }
        }
        held[freed, default: 0] -= 1
        waiting.sort { ($0.priority, $0.seen) < ($1.priority, $1.seen) }
        let limit = 1 + state.queue.maxWaitingPerServer
        for job in waiting {
            var best: String?
            var bestLoad = Int.max
            for server in state.servers where server.isUsable {
                if let pinned = job.pinned, !pinned.contains(server.name) { continue }
                if job.excluded.contains(server.name) { continue }
                let load = max(server.remaining ?? 0, held[server.name] ?? 0)
                guard load < limit, load < bestLoad else { continue }
                guard server.capabilities?.missing(for: graph).isEmpty ?? true else { continue }
                best = server.name
                bestLoad = load
            }
            if let best { return (job.id, best) }
        }
        return nil
    }
}
