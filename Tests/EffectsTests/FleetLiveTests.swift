import Clocks
import ComfyCore
import ComfyLive
import ComfySimulator
import Foundation
import Testing

/// A fleet on the real client stack (ComfyFleet: a ComfyClient per server, WSClient,
/// AsyncHTTPClient, one store) against three or four simulators over loopback, some lacking
/// a node class or a model (issue 11, "Proof"). The policies run on a `TestClock`: the grace
/// period that declares a silent server lost, the reconnect backoff. Waits are on the
/// store's changes; the clock is stepped in bounded loops until a condition holds (a sleeper
/// may not be registered yet when a step is taken, so one step is never assumed to suffice).
/// Every run is checked against the simulators' own records of what they ran.
@Suite(.timeLimit(.minutes(2)), .serialized) struct FleetLiveTests {
    static let base = "base.safetensors"
    static let xl = "xl.safetensors"

    /// A workflow: an empty image, optionally through `TestLoadModel` (`model`), then the
    /// middle node (`TestProgressLoop` with `steps`, or `TestSleep`), saved. `seed` keeps the
    /// server's cache from answering it without running it.
    static func job(_ seed: Int, model: String? = nil, middle: String = "TestProgressLoop", steps: Int = 4) -> Workflow {
        var graph: [JSONField] = [
            JSONField("1", .object(["class_type": "EmptyImage", "inputs": .object(["width": 16, "height": 16, "batch_size": 1, "color": 0])]))
        ]
        var last: JSONValue = ["1", 0]
        if let model {
            graph.append(JSONField("2", .object(["class_type": "TestLoadModel", "inputs": .object(["image": last, "ckpt_name": .string(model)])])))
            last = ["2", 0]
        }
        let inputs: JSONValue =
            middle == "TestSleep"
            ? .object(["image": last, "seconds": .number(Double(steps) * 0.05), "tick": 0.05, "seed": .number(Double(seed))])
            : .object([
                "image": last, "steps": .number(Double(steps)), "delay": 0.01, "preview": false, "preview_size": 16,
                "progress_text": false, "seed": .number(Double(seed)),
            ])
        graph.append(JSONField("3", .object(["class_type": .string(middle), "inputs": inputs])))
        graph.append(JSONField("4", .object(["class_type": "SaveImage", "inputs": .object(["images": ["3", 0], "filename_prefix": "comfy_test/fleet"])])))
        return Workflow(name: "fleet-\(seed)", graph: .object(graph))
    }

    /// Simulated servers by name, their fleet on a test clock, and what the test asks of them.
    struct Fleet {
        let fleet: ComfyFleet
        let clock: TestClock<Duration>
        let simulators: [(name: String, simulator: ComfyUISimulator)]

        var store: ComfyStore { fleet.store }

        func simulator(_ name: String) -> ComfyUISimulator { simulators.first { $0.name == name }!.simulator }

        /// Completed runs of `id` per server (the simulators' ledgers: they survive a stop).
        func runs(of id: String) async -> [String: [CompletedRun]] {
            var out: [String: [CompletedRun]] = [:]
            for (name, simulator) in simulators {
                if let runs = await simulator.completedRuns[id], !runs.isEmpty { out[name] = runs }
            }
            return out
        }

        /// Times each server's worker started `id`.
        func starts(of id: String) async -> [String: Int] {
            var out: [String: Int] = [:]
            for (name, simulator) in simulators {
                let n = await simulator.executionCount(of: id)
                if n > 0 { out[name] = n }
            }
            return out
        }

        /// Steps the clock by `step` until `condition` holds, at most `limit` steps. Between
        /// steps it waits for the condition (what a step woke runs on real I/O), bounded by
        /// `settle` of real time: a bound, not a synchronisation.
        @discardableResult
        func step(
            by step: Duration, limit: Int, settle: Duration = .milliseconds(200), until condition: @escaping @Sendable (AppState) -> Bool
        ) async -> Bool {
            for _ in 0..<limit {
                if condition(store.state) { return true }
                await clock.advance(by: step)
                if await store.until(condition, within: settle) { return true }
            }
            return condition(store.state)
        }

        func stop() async {
            await fleet.stop()
            for (_, simulator) in simulators { await simulator.stop() }
        }
    }

    /// Starts a simulator per member and a fleet of them on a test clock, and waits until
    /// every server is connected, resynced and its catalogue known.
    func fleet(
        _ members: [(name: String, catalog: SimulatorCatalog)], stepDelay: Duration = .milliseconds(15), lostAfter: Duration? = nil
    ) async throws -> Fleet {
        var simulators: [(name: String, simulator: ComfyUISimulator)] = []
        for member in members {
            let simulator = ComfyUISimulator(configuration: .init(stepDelay: stepDelay, catalog: member.catalog))
            try await simulator.start()
            simulators.append((member.name, simulator))
        }
        let clientID = ClientIdentity.generate()
        let configurations = try simulators.map { name, simulator in
            var configuration = ClientConfiguration(endpoint: try ServerEndpoint(simulator.baseURL), clientID: clientID)
            configuration.name = name
            configuration.lostAfter = lostAfter
            // On the test clock: a reconnect waits for the test to step it.
            configuration.backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(1))
            // The breaker would lose a server after five quick drops: the grace period is
            // the policy under test here.
            configuration.breaker = CircuitBreaker.Policy(threshold: 1_000, coolDown: .seconds(5))
            configuration.stallTimeout = .seconds(3_600)
            // Queue reads spaced on a frozen clock would wait for a step.
            configuration.followUpInterval = .zero
            // Real time (the transport pings): slow enough for a loaded machine.
            configuration.heartbeat = .seconds(5)
            configuration.resubmitLimit = 2
            return configuration
        }
        let clock = TestClock()
        let fleet = ComfyFleet(servers: configurations, clock: clock, policy: FleetPolicy(maxWaitingPerServer: 1, rerunLimit: 2))
        await fleet.start()
        let ready = await fleet.store.until({ state in state.servers.allSatisfy { $0.isUsable && $0.capabilities != nil } }, within: .seconds(30))
        #expect(ready, "the fleet did not come up: \(fleet.store.state.servers.map { "\($0.name) \($0.connection.phase.name)" })")
        return Fleet(fleet: fleet, clock: clock, simulators: simulators)
    }

    func allSettled(_ ids: [String]) -> @Sendable (AppState) -> Bool {
        { state in ids.allSatisfy { state.queue.prompts[$0]?.isSettled ?? false } }
    }

    // MARK: Routing

    @Test func jobsSpreadRunOnceAndNeverLandWhereAClassOrModelIsMissing() async throws {
        // a and d have everything; b lacks the xl model; c lacks TestProgressLoop.
        let f = try await fleet([
            ("a", .fleetMember(models: [Self.base, Self.xl])),
            ("b", .fleetMember(models: [Self.base])),
            ("c", .fleetMember(models: [Self.base, Self.xl], missing: ["TestProgressLoop"])),
            ("d", .fleetMember(models: [Self.base, Self.xl])),
        ])
        // Four kinds: a loop on base (not c), a loop on xl (not b, not c), a sleep on xl (not
        // b), a sleep on base (anywhere).
        var kinds: [String: (model: String, middle: String)] = [:]
        var ids: [String] = []
        for i in 0..<16 {
            let (model, middle) = [(Self.base, "TestProgressLoop"), (Self.xl, "TestProgressLoop"), (Self.xl, "TestSleep"), (Self.base, "TestSleep")][i % 4]
            let id = await f.fleet.submit(Self.job(1_000 + i, model: model, middle: middle))
            kinds[id] = (model, middle)
            ids.append(id)
        }
        #expect(await f.store.until(allSettled(ids), within: .seconds(60)))
        let state = f.store.state
        var perServer: [String: Int] = [:]
        for id in ids {
            let record = try #require(state.queue.prompts[id])
            #expect(record.status == .succeeded, "\(id): \(record.status)")
            #expect(record.sentTo.count == 1, "\(id) was sent to \(record.sentTo)")
            let server = try #require(record.server)
            // Run exactly once, on the server the state names, and reported as it ran.
            #expect(await f.starts(of: id) == [server: 1])
            #expect(await f.runs(of: id).mapValues { $0.map(\.status) } == [server: ["success"]])
            let (model, middle) = kinds[id]!
            if middle == "TestProgressLoop" { #expect(server != "c", "a TestProgressLoop job ran on c, which lacks the class") }
            if model == Self.xl { #expect(server != "b", "an xl job ran on b, which lacks the model") }
            perServer[server, default: 0] += 1
        }
        // Spread: every server ran some (c only the sleeps on base it can run).
        #expect(perServer.keys.sorted() == ["a", "b", "c", "d"], "\(perServer)")
        #expect(perServer.values.reduce(0, +) == 16)
        #expect(state.queue.rejected.isEmpty)
        await f.stop()
    }

    @Test func aJobNoServerCanRunIsRefusedAtOnceNamingWhatEachLacks() async throws {
        let f = try await fleet([
            ("a", .fleetMember(models: [Self.base, Self.xl], missing: ["TestProgressLoop"])),
            ("b", .fleetMember(models: [Self.base])),
            ("c", .fleetMember(models: [Self.base], missing: ["TestProgressLoop"])),
        ])
        let id = await f.fleet.submit(Self.job(7, model: Self.xl))
        // At once: the submission's own dispatch refused it, before anything was sent.
        let state = f.store.state
        #expect(state.queue.prompts[id] == nil)
        let rejection = try #require(state.queue.rejected.last)
        #expect(rejection.promptID == id)
        #expect(rejection.type == "no_server_can_run")
        #expect(rejection.status == 0)
        #expect(
            rejection.message
                == #"no server in the fleet can run it: a: no node class TestProgressLoop; b: no ckpt_name "xl.safetensors"; c: no ckpt_name "xl.safetensors", node class TestProgressLoop"#
        )
        #expect(rejection.nodeErrors.map(\.nodeID) == ["2", "3"])
        #expect(rejection.nodeErrors.map(\.classType) == ["TestLoadModel", "TestProgressLoop"])
        #expect(rejection.nodeErrors.map { $0.errors.map(\.type) } == [["value_not_in_list"], ["missing_node_type"]])
        #expect(rejection.extraInfo["a"] == "no node class TestProgressLoop")
        #expect(rejection.extraInfo["b"] == #"no ckpt_name "xl.safetensors""#)
        // Nothing reached a server.
        await f.fleet.commandsDone()
        #expect(await f.starts(of: id) == [:])
        for (_, simulator) in f.simulators { #expect(await simulator.queueRemaining == 0) }
        // A job that one of them can run still goes.
        let ok = await f.fleet.submit(Self.job(8, model: Self.base))
        #expect(await f.store.until(allSettled([ok]), within: .seconds(30)))
        #expect(f.store.state.queue.prompts[ok]?.server == "b")
        #expect(await f.starts(of: ok) == ["b": 1])
        await f.stop()
    }

    // MARK: Failover

    @Test func aServerStoppedForGoodMidRunHasItsJobsFinishElsewhereUnderTheSameID() async throws {
        let f = try await fleet(
            [("a", .fleetMember()), ("b", .fleetMember()), ("c", .fleetMember())], stepDelay: .milliseconds(20), lostAfter: .seconds(10))
        let c = f.simulator("c")
        // c holds its worker at the first step of whatever it runs.
        await c.setPaused(true)
        var ids: [String] = []
        for i in 0..<6 { ids.append(await f.fleet.submit(Self.job(2_000 + i, steps: 5))) }
        // Least loaded first, ties to the first: c has the third and the sixth.
        let onC = f.store.state.queue.unfinishedIDs(on: "c")
        #expect(Set(onC) == [ids[2], ids[5]])
        let (running, waiting) = (ids[2], ids[5])
        await c.advance(steps: 0)  // held inside its first job
        #expect(await f.store.until({ $0.queue.prompts[running]?.status == .running }, within: .seconds(30)))
        #expect(await f.store.until({ $0.queue.prompts[waiting]?.accepted == true }, within: .seconds(30)))

        // Gone for good, mid-run.
        await c.stop()
        #expect(await f.store.until({ !$0.server(for: "c").connection.isOnline }, within: .seconds(30)))
        #expect(f.store.state.server(named: "c")?.status == .active)
        // The grace period runs on the test clock: not lost before it is over...
        await f.step(by: .seconds(1), limit: 5) { _ in false }
        #expect(f.store.state.server(named: "c")?.status == .active)
        #expect(f.store.state.queue.prompts[running]?.server == "c")
        // ...lost once it is, and its two jobs back in our queue for the others.
        #expect(await f.step(by: .seconds(1), limit: 30) { $0.server(named: "c")?.status == .lost })
        #expect(f.store.state.log.entries.contains { $0.message == "server c is lost (offline for 10 s): 2 job(s) back in our queue" })

        #expect(await f.store.until(allSettled(ids), within: .seconds(60)))
        let state = f.store.state
        for id in ids {
            let record = try #require(state.queue.prompts[id])
            #expect(record.status == .succeeded, "\(id): \(record.status)")
            let server = try #require(record.server)
            #expect(server != "c")
            // Each completed once, wherever it ran.
            #expect(await f.runs(of: id).mapValues { $0.map(\.status) } == [server: ["success"]])
        }
        // The same prompt ids, sent on: the running one had started on c (one rerun), the
        // waiting one had not.
        for id in [running, waiting] {
            let record = try #require(state.queue.prompts[id])
            #expect(record.sentTo.count == 2 && record.sentTo.first == "c", "\(record.sentTo)")
            #expect(record.sentTo.last == record.server)
        }
        #expect(state.queue.prompts[running]?.reruns == 1)
        #expect(state.queue.prompts[waiting]?.reruns == 0)
        #expect(await f.starts(of: running).values.sorted() == [1, 1])  // c, then another
        #expect(await f.starts(of: running)["c"] == 1)
        #expect(await f.starts(of: waiting)["c"] == nil)
        await f.stop()
    }

    @Test func aFlappingServerNeverStallsTheQueue() async throws {
        let f = try await fleet(
            [("a", .fleetMember()), ("b", .fleetMember()), ("f", .fleetMember())], stepDelay: .milliseconds(15), lostAfter: .seconds(30))
        let flapper = f.simulator("f")
        var ids: [String] = []
        for i in 0..<18 { ids.append(await f.fleet.submit(Self.job(3_000 + i, steps: 4))) }
        let drops = 6
        for round in 0..<drops {
            // Let the queue move between drops.
            let done = ids
            _ = await f.store.until({ state in done.filter { state.queue.prompts[$0]?.isSettled ?? false }.count >= round * 2 }, within: .seconds(30))
            let connects = f.store.state.server(for: "f").connection.connects
            await flapper.dropAllConnections()
            // Back after its backoff, on the test clock.
            let back = await f.step(by: .milliseconds(250), limit: 40) {
                $0.server(for: "f").connection.isOnline && $0.server(for: "f").connection.connects > connects
            }
            #expect(back, "f did not come back after drop \(round + 1)")
        }
        // The rest of the queue drains; f may still be asked to reconnect.
        #expect(await f.store.until(allSettled(ids), within: .seconds(60)))
        let state = f.store.state
        var onF = 0
        for id in ids {
            let record = try #require(state.queue.prompts[id])
            #expect(record.status == .succeeded, "\(id): \(record.status)")
            let server = try #require(record.server)
            #expect(await f.runs(of: id).mapValues { $0.map(\.status) } == [server: ["success"]])
            #expect(await f.starts(of: id) == [server: 1])
            if server == "f" { onF += 1 }
        }
        #expect(onF >= 1)
        let flapping = try #require(state.server(named: "f"))
        #expect(flapping.status == .active)
        #expect(flapping.connection.connects == 1 + drops)
        #expect(!state.log.entries.contains { $0.message.hasPrefix("server f is lost") })
        await f.stop()
    }

    @Test func aRefusalFromOneServerIsReportedForItWhileTheOthersWork() async throws {
        let f = try await fleet(
            [("a", .fleetMember()), ("b", .fleetMember()), ("r", .fleetMember())], stepDelay: .milliseconds(15), lostAfter: .seconds(10))
        let stream = f.fleet.events()
        let events = Task {
            var changes: [ConnectionChange] = []
            for await event in stream {
                if case .connection(let change) = event, change.server == "r" { changes.append(change) }
                if case .connection(let change) = event, change.server == "r", change.kind == .failed { break }
            }
            return changes
        }
        let r = f.simulator("r")
        await r.setPaused(true)
        var ids: [String] = []
        for i in 0..<6 { ids.append(await f.fleet.submit(Self.job(4_000 + i, steps: 4))) }
        let onR = f.store.state.queue.unfinishedIDs(on: "r")
        #expect(Set(onR) == [ids[2], ids[5]])
        await r.advance(steps: 0)
        #expect(await f.store.until({ state in onR.allSatisfy { state.queue.prompts[$0]?.accepted == true } }, within: .seconds(30)))

        // Its credentials are refused from now on.
        await r.setRefusing(status: 401)
        await r.dropAllConnections()
        #expect(await f.step(by: .milliseconds(250), limit: 40) { if case .failed = $0.server(for: "r").connection.phase { true } else { false } })
        let failed = f.store.state.server(for: "r").connection
        #expect(failed.phase == .failed(reason: .credentialsRefused(status: 401, retryAfterSeconds: nil)))
        #expect(failed.reconnects == 1)  // the one attempt that met the refusal; no storm
        let changes = await events.value
        #expect(changes.last?.kind == .failed)
        #expect(changes.last?.reason == .credentialsRefused(status: 401, retryAfterSeconds: nil))
        // The others were never touched by it.
        for name in ["a", "b"] {
            #expect(f.store.state.server(for: name).connection.isOnline)
            #expect(f.store.state.server(for: name).connection.connects == 1)
        }
        // The others finish their jobs meanwhile.
        let elsewhere = ids.filter { !onR.contains($0) }
        #expect(await f.store.until(allSettled(elsewhere), within: .seconds(60)))
        // After the grace period r counts as lost; its two jobs run on the others.
        #expect(await f.step(by: .seconds(1), limit: 30) { $0.server(named: "r")?.status == .lost })
        #expect(await f.store.until(allSettled(ids), within: .seconds(60)))
        let state = f.store.state
        for id in ids {
            let record = try #require(state.queue.prompts[id])
            #expect(record.status == .succeeded)
            #expect(record.server == "a" || record.server == "b")
            #expect(await f.runs(of: id).values.map(\.count) == [1])
        }
        #expect(await r.completedRuns.isEmpty)
        await f.stop()
    }
}
