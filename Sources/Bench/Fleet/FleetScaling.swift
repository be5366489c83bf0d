import ComfyCore

/// Routing as the fleet and our queue grow: for each fleet size and queue length, the
/// reducer's decision (a server's running job succeeds and the first waiting job is sent
/// there, `FleetState.completion`) against `NaiveRouter` deciding the same on the same
/// state, side by side in one run. Each naive decision is checked to pick the job and the
/// server the reducer picks.
enum FleetScaling {
    struct Cell {
        var servers: Int
        var waiting: Int
        var route = Latencies()
        var naive = Latencies()
        /// Decisions per second: samples over the sum of their times.
        var routePerSecond = 0.0
        var naivePerSecond = 0.0
    }

    /// `samples` reducer decisions and `naiveSamples` naive ones (the first of them, each
    /// before the reducer's on the same state), after `warmUp` untimed cycles.
    static func measure(servers: Int, waiting: Int, samples: Int, naiveSamples: Int, warmUp: Int = 200) -> Cell {
        var cell = Cell(servers: servers, waiting: waiting)
        let clock = ContinuousClock()
        var fleet = FleetState(servers: servers, waiting: waiting)
        let graph = FleetState.job("", seed: 1).body["prompt"] ?? .object([])
        var routeTotal = Duration.zero
        var naiveTotal = Duration.zero
        for cycle in 0..<(warmUp + samples) {
            let index = cycle % servers
            var naiveChoice: (id: String, server: String)?
            let timed = cycle >= warmUp
            if cycle < warmUp + naiveSamples {
                let start = clock.now
                naiveChoice = NaiveRouter.decide(fleet.state, freed: fleet.names[index], graph: graph)
                let elapsed = clock.now - start
                if timed {
                    cell.naive.record(microseconds: elapsed.inSeconds * 1e6)
                    naiveTotal += elapsed
                }
            }
            let action = fleet.completion(index)
            let start = clock.now
            let commands = fleet.reduce(action)
            let elapsed = clock.now - start
            if timed {
                cell.route.record(microseconds: elapsed.inSeconds * 1e6)
                routeTotal += elapsed
            }
            let sent = FleetRouting.oneJob(commands, to: fleet.names[index])
            if let naiveChoice {
                precondition(naiveChoice.id == sent && naiveChoice.server == fleet.names[index], "the naive router chose \(naiveChoice), the reducer \(sent)")
            }
            for next in fleet.settle(index, sent: sent) { _ = fleet.reduce(next) }
        }
        cell.routePerSecond = Double(samples) / routeTotal.inSeconds
        cell.naivePerSecond = Double(min(samples, naiveSamples)) / naiveTotal.inSeconds
        return cell
    }
}
