import ComfyCore
import ComfyLive
import ComfySimulator

/// `jobs` jobs of `seconds` each (`TestSleep`, at the node's own pace) through `ComfyFleet`
/// on `servers` simulated servers in this process: the wall time from the first submission
/// to the last job's end. With at most one job of ours waiting on each server beyond the
/// one it runs, a server goes from one job to the next without waiting for the client.
enum FleetSpeedup {
    struct Result {
        var servers: Int
        var seconds: Double
        var succeeded: Int
        /// Jobs each server ran to completion (the simulators' ledgers).
        var perServer: [Int]
        /// Jobs some server completed more than once.
        var duplicated: Int
    }

    static func workflow(_ seed: Int, seconds: Double) -> Workflow {
        Workflow(name: "fleet-bench", graph: .object([
            "1": .object(["class_type": "EmptyImage", "inputs": .object(["width": 16, "height": 16, "batch_size": 1, "color": 0])]),
            "2": .object(["class_type": "TestSleep", "inputs": .object([
                "image": ["1", 0], "seconds": .number(seconds), "tick": .number(min(0.1, seconds)), "seed": .number(Double(seed)),
            ])]),
            "3": .object(["class_type": "SaveImage", "inputs": .object(["images": ["2", 0], "filename_prefix": "fleet/bench"])]),
        ]))
    }

    static func run(servers: Int, jobs: Int, seconds: Double) async throws -> Result {
        var simulators: [ComfyUISimulator] = []
        for _ in 0..<servers {
            let simulator = ComfyUISimulator()
            try await simulator.start()
            simulators.append(simulator)
        }
        let clientID = ClientIdentity.generate()
        let configurations = try simulators.enumerated().map { index, simulator in
            var configuration = ClientConfiguration(endpoint: try ServerEndpoint(simulator.baseURL), clientID: clientID)
            configuration.name = "s\(index)"
            configuration.resubmitLimit = 2
            return configuration
        }
        let fleet = ComfyFleet(servers: configurations, clock: ContinuousClock(), policy: FleetPolicy(maxWaitingPerServer: 1, rerunLimit: 2))
        await fleet.start()
        _ = await fleet.store.until({ $0.servers.allSatisfy { $0.isUsable && $0.capabilities != nil } }, within: .seconds(30))

        let started = ContinuousClock.now
        var ids: [String] = []
        for index in 0..<jobs { ids.append(await fleet.submit(workflow(index + 1, seconds: seconds))) }
        let all = ids
        _ = await fleet.store.until({ state in all.allSatisfy { state.queue.prompts[$0]?.isSettled ?? false } }, within: .seconds(Double(jobs) * seconds * 4 + 60))
        let elapsed = (ContinuousClock.now - started).inSeconds

        let state = fleet.store.state
        var perServer: [Int] = []
        var counts: [String: Int] = [:]
        for simulator in simulators {
            let ledger = await simulator.completedRuns
            perServer.append(ids.filter { ledger[$0] != nil }.count)
            for id in ids { counts[id, default: 0] += ledger[id]?.count ?? 0 }
        }
        await fleet.stop()
        for simulator in simulators { await simulator.stop() }
        return Result(
            servers: servers, seconds: elapsed, succeeded: ids.filter { state.queue.prompts[$0]?.status == .succeeded }.count,
            perServer: perServer, duplicated: counts.values.filter { $0 > 1 }.count)
    }
}
