import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

/// Connecting, the demo server, tracing and recording.
extension ShellSession {
    /// Connects to the servers the options name (`URL`: that one only), replacing the
    /// servers followed so far: their prompts stay in the state, each naming its server.
    func connect(to url: String?) async {
        var server = options.server
        if let url { server.servers = [url] }
        let fleetSettings: FleetSettings
        let configurations: [ClientConfiguration]
        do { (fleetSettings, configurations) = try server.configurations(policy: FleetPolicy()) } catch {
            return problem("\(error)")
        }
        if let old = fleet {
            await old.stop()
            fleet = nil
        }
        let fleet = ComfyFleet(
            servers: configurations, clock: ContinuousClock(), jobs: jobs, policy: fleetSettings.policy, store: store, origin: origin)
        self.fleet = fleet
        let names = Set(configurations.compactMap(\.name))
        for stale in store.state.servers.map(\.name) where !names.contains(stale) {
            await fleet.dispatch(.fleet(.serverRemoved(name: stale)))
        }
        let limit = configurations.map(\.connectTimeout).max() ?? .seconds(10)
        let readiness = await fleet.startAndWait(within: limit + .seconds(1))
        await updateTap()
        let many = configurations.count > 1
        for configuration in configurations {
            guard let name = configuration.name else { continue }
            let who = many ? "\(name): " : ""
            switch readiness[name] ?? .notYet(nil) {
            case .online:
                // What the server is, for `status` (one call; not a resync).
                await fleet.client(name)?.refreshServerInfo()
                let version = store.state.server(named: name)?.connection.server?.comfyuiVersion.map { " (ComfyUI \($0))" } ?? ""
                say(style.green("● ") + "\(who)connected to \(configuration.endpoint)\(version) as \(configuration.clientID.prefix(8))")
            case .gaveUp(let reason):
                problem("\(who)\(reason)")
            case .hopeless(let reason), .notYet(let reason?):
                problem("\(who)\(configuration.endpoint) does not answer yet (\(reason)); still trying in the background")
            case .notYet(nil):
                let state = store.state.server(named: name)?.connection ?? ConnectionState()
                problem("\(who)\(configuration.endpoint) does not answer yet (\(state.lastClose?.reason ?? state.phase.name)); still trying in the background")
            }
        }
        await resumeJobs()
    }

    /// Unfinished jobs of the job store that no running comfysh follows (this shell's own
    /// last session crashed, say) are taken up: followed on their server, or sent.
    func resumeJobs() async {
        guard let fleet, !resumed else { return }
        resumed = true
        do {
            let count = try await fleet.resume()
            if count > 0 { say("· resumed \(count) unfinished job(s) from the job store ('jobs' lists them)") }
        } catch {
            problem("\(error)")
        }
    }

    /// `server add URL [--name NAME]`: one more server in the fleet.
    func addServer(_ url: String, name: String?) async {
        var server = options.server
        server.servers = [name.map { "\($0)=\(url)" } ?? url]
        let configurations: [ClientConfiguration]
        do { (_, configurations) = try server.configurations(policy: FleetPolicy()) } catch { return problem("\(error)") }
        guard let configuration = configurations.first, let added = configuration.name else { return }
        guard store.state.server(named: added) == nil else { return problem("there is a server named \(added) already") }
        if fleet == nil {
            let fleet = ComfyFleet(servers: [], clock: ContinuousClock(), jobs: jobs, store: store, origin: origin)
            self.fleet = fleet
            _ = await fleet.startAndWait(within: .zero)
        }
        await fleet?.add(configuration)
        await updateTap()
        say("server \(added) added (\(configuration.endpoint)); 'servers' shows how it is doing")
    }

    /// `server remove NAME`: its waiting jobs go to the others.
    func removeServer(_ name: String) async {
        guard let fleet, store.state.server(named: name) != nil else { return problem("no server named \(name) ('servers' lists them)") }
        await fleet.remove(name)
        say("server \(name) removed")
    }

    func setTracing(_ on: Bool) async {
        tracing = on
        await updateTap()
        say("trace \(on ? "on" : "off")")
    }

    /// `--demo`: a simulator on a free loopback port, and a connection to it.
    func startDemo() async {
        let simulator = ComfyUISimulator()
        do { try await simulator.start() } catch {
            return problem("could not start the demo server: \(error)")
        }
        self.simulator = simulator
        say("demo: a simulated ComfyUI server is running at \(simulator.baseURL); try 'submit demo'")
        await connect(to: simulator.baseURL)
    }

    /// Routes the servers' traffic to `trace` and `record` as they are switched on. A
    /// transcript is one server's: `record` keeps the first server's traffic.
    func updateTap() async {
        guard let fleet else { return }
        let terminal = terminal
        let tracing = tracing
        let recorder = recorder
        guard tracing || recorder != nil else {
            await fleet.setTap(nil)
            return
        }
        let dim = style
        let names = await fleet.serverNames
        let first = names.first
        let many = names.count > 1
        await fleet.setTap { name, entry in
            if name == first { recorder?.write(entry) }
            if tracing, let line = entry.traceLine() { terminal.printAbove(dim.dim(many ? "\(name): \(line)" : line)) }
        }
    }

    func stopRecording() async {
        guard let recorder else { return say("not recording") }
        self.recorder = nil
        await updateTap()
        recorder.close()
        if let failure = recorder.failure {
            problem("recording stopped early: \(failure); \(recorder.path) holds what came before")
        } else {
            say("recording stopped: \(recorder.path)")
        }
    }

    func record(to file: String) async {
        guard recorder == nil else { return problem("already recording to \(recorder!.path); 'record stop' first") }
        var recorded: ClientConfiguration?
        if let fleet, let first = await fleet.serverNames.first { recorded = await fleet.configuration(of: first) }
        var fields = [
            JSONField("recorder", "comfysh"), JSONField("server", .string(recorded?.endpoint.description ?? "")),
            JSONField("client_ids", .array(recorded.map { [JSONValue.string($0.clientID)] } ?? [])),
        ]
        // That extra headers were sent (a replay may wonder about a 401), never their values.
        if let headers = recorded?.headers, !headers.isEmpty {
            fields.append(JSONField("headers", .array(headers.map { .string("\($0.name): ***") })))
        }
        let meta = JSONValue.object(fields)
        do {
            recorder = try TranscriptWriter(path: file, meta: meta)
        } catch {
            return problem("cannot record to \(file): \(FileManager.default.fileExists(atPath: file) ? "the file exists" : "\(error.localizedDescription)")")
        }
        await updateTap()
        say("recording to \(file) (mode 0600); 'record stop' to finish")
    }

    func replay(_ path: String) {
        let entries: [(line: Int, entry: TranscriptEntry)]
        do { entries = try TranscriptReader.read(path: path) } catch {
            return problem("\(path): \(error)")
        }
        var state = AppState()
        let printer = DiffPrinter(verbose: diffMode == .verbose)
        var out: [String] = []
        TranscriptActions.replay(entries, into: &state) { step in
            guard self.diffMode != .off else { return }
            out.append(printer.render(action: step.action, line: step.line, diff: StateDiff.between(step.old, step.new), commands: step.commands))
        }
        out.append(printer.footer(state))
        say(out.joined(separator: "\n"))
    }
}
