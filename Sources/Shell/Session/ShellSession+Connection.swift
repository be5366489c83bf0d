import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

/// Connecting, the demo server, tracing and recording.
extension ShellSession {
    func connect(to url: String?) async {
        var server = options.server
        if let url { server.servers = [url] }
        var configuration: ClientConfiguration
        do { configuration = try server.configuration() } catch {
            return problem("\(error)")
        }
        configuration.name = nil  // the shell's one server: the store's first
        if let old = client {
            await old.stop()
            client = nil
        }
        let client = ComfyClient(configuration: configuration, store: store, clock: ContinuousClock())
        self.client = client
        await updateTap()
        // Until connected, or a first attempt has failed (refused, timed out): the shell is
        // not held while the client goes on trying in the background.
        switch await client.ready(within: configuration.connectTimeout + .seconds(1), stopAtFirstFailure: true) {
        case .online:
            // What the server is, for `status` (one call; not a resync).
            await client.refreshServerInfo()
            let version = store.state.connection.server?.comfyuiVersion.map { " (ComfyUI \($0))" } ?? ""
            say(style.green("● ") + "connected to \(configuration.endpoint)\(version) as \(configuration.clientID.prefix(8))")
        case .gaveUp(let reason):
            problem(reason.description)
        case .hopeless(let reason), .notYet(let reason?):
            problem("\(configuration.endpoint) does not answer yet (\(reason)); still trying in the background")
        case .notYet(nil):
            let state = store.state.connection
            problem("\(configuration.endpoint) does not answer yet (\(state.lastClose?.reason ?? state.phase.name)); still trying in the background")
        }
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

    /// Routes the client's traffic to `trace` and `record` as they are switched on.
    func updateTap() async {
        guard let client else { return }
        let terminal = terminal
        let tracing = tracing
        let recorder = recorder
        guard tracing || recorder != nil else {
            await client.setTap(nil)
            return
        }
        let dim = style
        await client.setTap { entry in
            recorder?.write(entry)
            if tracing, let line = entry.traceLine() { terminal.printAbove(dim.dim(line)) }
        }
    }

    func stopRecording() async {
        guard let recorder else { return say("not recording") }
        recorder.close()
        self.recorder = nil
        await updateTap()
        say("recording stopped: \(recorder.path)")
    }

    func record(to file: String) async {
        guard recorder == nil else { return problem("already recording to \(recorder!.path); 'record stop' first") }
        var fields = [
            JSONField("recorder", "comfysh"), JSONField("server", .string(client?.configuration.endpoint.description ?? "")),
            JSONField("client_ids", .array(client.map { [JSONValue.string($0.configuration.clientID)] } ?? [])),
        ]
        // That extra headers were sent (a replay may wonder about a 401), never their values.
        if let headers = client?.configuration.headers, !headers.isEmpty {
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
