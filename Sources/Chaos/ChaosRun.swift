import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore
import Synchronization

/// A chaos run: the simulator runs `plan.prompts` prompts submitted by the real client
/// (WSClient, AsyncHTTPClient, ComfyClient, ComfyStore) while faults strike at random; at the
/// end, every prompt's status and outputs in the client's state are compared with the
/// simulator's own record of what it ran.
public struct ChaosRun: Sendable {
    public let plan: ChaosPlan

    public init(plan: ChaosPlan) { self.plan = plan }

    /// Runs it. `note` hears each fault as it strikes (for a live log).
    public func run(note: @escaping @Sendable (String) -> Void = { _ in }) async throws -> ChaosTally {
        let started = ContinuousClock.now
        var tally = ChaosTally()
        tally.prompts = plan.prompts
        tally.seed = plan.seed
        tally.rssStartMB = (ResidentMemory.currentMB ?? 0)

        let simulator = ComfyUISimulator(configuration: .init(stepDelay: plan.stepDelay))
        try await simulator.start()
        let client = ComfyClient(configuration: try configuration(simulator), clock: ContinuousClock())
        let counts = ActionCounts()
        let counting = Task { await counts.follow(client.events()) }
        await client.start()
        await client.store.until({ $0.connection.isOnline }, within: .seconds(30))

        let injector = FaultInjector(simulator: simulator, plan: plan)
        let record = Mutex<(faults: [ChaosFault: Int], recoveries: [Double], outages: [Double])>(([:], [], []))
        let plan = plan
        let striking = Task {
            var random = SeededRandom(seed: plan.seed ^ 0x5EED)
            while !Task.isCancelled {
                try? await Task.sleep(for: plan.faultEvery * Double.random(in: 0.5...1.5, using: &random))
                if Task.isCancelled { break }
                let fault = ChaosFault.allCases.randomElement(using: &random)!
                let window = Duration.seconds(Double.random(in: plan.window, using: &random))
                note("fault: \(fault.rawValue)\(fault.isWindow ? " for \(ChaosTally.fixed(window.seconds, 2)) s" : "")")
                let connectsBefore = client.store.state.connection.connects
                await injector.strike(fault, window: window)
                let lifted = ContinuousClock.now
                let offline = !client.store.state.connection.isOnline
                // A drop, a restart or a 403 window always costs the sockets: wait for the
                // client's new connection, not for it to notice the old one is gone.
                let replaced = [ChaosFault.drop, .restart, .refuse].contains(fault)
                await client.store.until({ $0.connection.isOnline && (!replaced || $0.connection.connects > connectsBefore) }, within: .seconds(60))
                let recovery = (ContinuousClock.now - lifted).seconds
                // An outage: the fault cost the connection (it is down at the lift, or was
                // replaced meanwhile).
                let outage = offline || client.store.state.connection.connects > connectsBefore
                record.withLock {
                    $0.faults[fault, default: 0] += 1
                    $0.recoveries.append(recovery)
                    if outage { $0.outages.append(recovery) }
                }
            }
        }

        // Submissions keep coming whatever the connection does (the outbox holds them).
        var random = SeededRandom(seed: plan.seed)
        var ids: [String] = []
        for index in 0..<plan.prompts {
            let limit = plan.inFlight
            let mine = ids
            // A prompt with no record was rejected: it is not in flight.
            let inFlight: @Sendable (AppState) -> Int = { state in
                mine.filter { state.queue.prompts[$0].map { !$0.status.isTerminal } ?? false }.count
            }
            await client.store.until({ inFlight($0) < limit }, within: plan.deadline)
            let id = Workflow.newPromptID()
            let fails = plan.failEvery > 0 && index % plan.failEvery == plan.failEvery - 1
            let workflow = ChaosWorkflow.make(steps: plan.steps, fails: fails, seed: random.next() % 1_000_000_000)
            await client.submit(workflow, promptID: id)
            ids.append(id)
        }
        let allIDs = ids
        await client.store.until({ state in allIDs.allSatisfy { state.queue.prompts[$0]?.status.isTerminal ?? true } }, within: plan.deadline)

        // The end: faults stop, the client comes back and asks the server once more.
        striking.cancel()
        _ = await striking.value
        await injector.liftAll()
        await client.store.until({ $0.connection.isOnline }, within: .seconds(60))
        await client.resync()

        let state = client.store.state
        let ledger = await simulator.completedRuns
        Self.judge(ids: ids, state: state, ledger: ledger, into: &tally)
        tally.lastLog = state.log.entries.suffix(25).map { "\($0.kind): \($0.message)" }
        if let first = (tally.duplicated + tally.lost).first {
            // The story of the first prompt that went wrong, for whoever reads the report.
            let short = String(first.prefix(8))
            tally.lastLog = state.log.entries.filter { $0.message.contains(short) || $0.kind == .connection || $0.kind == .resync }
                .suffix(60).map { "[\(ChaosTally.fixed($0.at.seconds, 3))] \($0.kind): \($0.message)" }
        }
        let recorded = record.withLock { $0 }
        tally.faults = recorded.faults
        tally.recoveries = recorded.recoveries
        tally.outageRecoveries = recorded.outages
        let seen = await counts.snapshot()
        tally.reconnectAttempts = seen.attempts.count
        tally.maxAttemptsPerSecond = Self.densest(seen.attempts)
        tally.resyncs = seen.resyncs
        tally.connects = state.connection.connects
        tally.rssEndMB = (ResidentMemory.currentMB ?? 0)
        tally.rssPeakMB = (ResidentMemory.peakMB ?? 0)
        tally.seconds = (ContinuousClock.now - started).seconds

        await client.stop()
        counting.cancel()
        await simulator.stop()
        return tally
    }

    func configuration(_ simulator: ComfyUISimulator) throws -> ClientConfiguration {
        var configuration = ClientConfiguration(endpoint: try ServerEndpoint(simulator.baseURL), clientID: ClientIdentity.generate())
        configuration.heartbeat = plan.heartbeat
        configuration.stallTimeout = plan.heartbeat * 3
        configuration.backoff = plan.backoff
        configuration.breaker = plan.breaker
        configuration.connectTimeout = max(.seconds(2), plan.heartbeat * 4)
        configuration.requestTimeout = .seconds(10)
        // A 403 window is a gateway refusing for a while: wait it out without a storm.
        configuration.onRefusal = .coolDown
        // As `comfysh run`: the user asked for every prompt to run.
        configuration.resubmitLimit = 2
        return configuration
    }

    /// The client's final state against the server's record.
    static func judge(ids: [String], state: AppState, ledger: [String: [CompletedRun]], into tally: inout ChaosTally) {
        for id in ids {
            let runs = ledger[id] ?? []
            // Twice in one life of the server: its history knew of the first run, so the
            // client could have. A run before a restart whose outcome never reached the
            // client (frames held, then the restart wiped history) is rightly run again:
            // counted as resubmitted, not as a duplicate.
            if Dictionary(grouping: runs, by: \.life).values.contains(where: { $0.count > 1 }) { tally.duplicated.append(id) }
            guard let record = state.queue.prompts[id] else {
                let rejection = state.queue.rejected.last { $0.promptID == id }
                tally.lost.append(id + (rejection.map { " rejected (\($0.status) \($0.type): \($0.message))" } ?? " unknown to the client"))
                continue
            }
            tally.resubmitted += record.resubmitted
            switch record.status {
            case .succeeded: tally.succeeded += 1
            case .failed: tally.failed += 1
            case .queued, .running, .ended: tally.stuckPrompts.append("\(id) \(record.status.rawValue)")
            default: tally.lost.append("\(id) \(record.status.rawValue)")
            }
            guard let last = runs.last else {
                if record.status.isTerminal, record.status != .lost { tally.mismatches.append("\(id): \(record.status.rawValue), but the server never ran it to the end") }
                continue
            }
            let expected: PromptRecord.Status = last.status == "success" ? .succeeded : .failed
            if record.status != expected {
                tally.mismatches.append("\(id): \(record.status.rawValue), the server says \(last.status)")
            } else if Self.fields(record.outputs) != Self.fields(last.outputs.objectValue ?? []) {
                tally.mismatches.append("\(id): outputs differ from the server's history")
            }
        }
        tally.stuckNodes = state.nodes.byID.values.filter { $0.state == .running }.count
    }

    static func fields(_ list: [JSONField]) -> [String: JSONValue] {
        Dictionary(list.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The most timestamps within any one second.
    static func densest(_ times: [Double]) -> Int {
        var best = 0
        var start = 0
        for (end, time) in times.enumerated() {
            while time - times[start] >= 1 { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }
}

/// Counts, from the client's events, the reconnection attempts (with their times) and
/// the resyncs.
actor ActionCounts {
    var attempts: [Double] = []
    var resyncs = 0

    func follow(_ events: ClientEventStream) async {
        let origin = ContinuousClock.now
        for await event in events {
            switch event {
            case .connection(let change):
                if case .connecting(let attempt) = change.phase, attempt > 0 { attempts.append((ContinuousClock.now - origin).seconds) }
            case .resynced:
                resyncs += 1
            default:
                break
            }
        }
    }

    func snapshot() -> (attempts: [Double], resyncs: Int) { (attempts, resyncs) }
}
