import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

/// Submitting, following and collecting prompts.
extension ShellSession {
    func submit(_ args: [String], usage: String) async {
        var rest = args
        let front = rest.contains("--front")
        let watch = rest.contains("--watch")
        rest.removeAll { $0 == "--front" || $0 == "--watch" }
        guard rest.count == 1 else { return problem("one workflow file — usage: \(usage)") }
        let workflow: Workflow
        if rest[0] == "demo" {
            workflow = Workflow(name: "demo", graph: ComfyUISimulator.demoWorkflow)
        } else {
            do { workflow = try Workflow.load(path: rest[0]) } catch {
                return problem("\(error)")
            }
        }
        guard let client else { return problem("not connected: 'connect [URL]' first") }
        let id = Workflow.newPromptID()
        let clientID = client.configuration.clientID
        await client.request(.submit(
            promptID: id, graph: workflow.submitted(clientID: clientID),
            body: workflow.body(promptID: id, clientID: clientID, front: front), front: front))
        await settle { state in
            // The POST's answer (its queue number), not an execution_start that can overtake it.
            state.queue.prompts[id]?.number != nil || state.queue.rejected.contains { $0.promptID == id }
                || state.connection.outbox.contains { $0.command == .postPrompt(promptID: id, body: workflow.body(promptID: id, clientID: clientID, front: front)) }
        }
        let state = store.state
        if let rejection = state.queue.rejected.last(where: { $0.promptID == id }) {
            problem("rejected (\(rejection.status) \(rejection.type)): \(rejection.message)")
            for nodeError in rejection.nodeErrors { say("  " + RunReporter.nodeErrorLine(nodeError.json)) }
        } else if let record = state.queue.prompts[id], record.accepted {
            say("submitted \(id) (\(workflow.nodes.count) nodes) as #\(record.number.map(JSONWriter.number) ?? "?")")
            for warning in record.warnings { say(style.yellow("  ! dropped by the server: ") + RunReporter.nodeErrorLine(warning.json)) }
        } else {
            say("\(id) waits for the connection (it is sent after the next resync)")
        }
        if watch { await self.watch(until: id) }
    }

    /// Follows live progress (shown by the follower) until Ctrl-C, or until `id` ends.
    func watch(until id: String?) async {
        if let id {
            say(style.dim("following \(id.prefix(8)) — Ctrl-C stops following (the prompt keeps running)"))
            await store.until { $0.queue.prompts[id]?.status.isTerminal ?? true }
            if Task.isCancelled { say(style.dim("stopped following \(id.prefix(8)); it keeps running ('cancel \(id.prefix(8))' stops it)")) }
        } else {
            say(style.dim("watching — Ctrl-C to stop"))
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
            }
            say(style.dim("stopped watching"))
        }
    }

    func outputs(_ args: [String], usage: String) async {
        var rest = args
        var folder: String?
        if let i = rest.firstIndex(of: "--to") {
            guard i + 1 < rest.count else { return problem("--to needs a folder — usage: \(usage)") }
            folder = rest[i + 1]
            rest.removeSubrange(i...(i + 1))
        }
        guard rest.count == 1 else { return problem("one prompt id — usage: \(usage)") }
        guard let id = resolve(rest[0]) else { return }
        let outputs = store.state.queue.prompts[id]?.outputs ?? []
        let files = OutputFiles.files(in: outputs)
        guard !files.isEmpty else { return say("no output files for \(id.prefix(8))") }
        guard let folder else {
            return say(files.map { "  node \($0.node): \($0.subfolder.isEmpty ? "" : $0.subfolder + "/")\($0.filename) (\($0.type))" }.joined(separator: "\n"))
        }
        guard let client else { return problem("not connected: cannot download") }
        let downloader = OutputFiles(http: client.http, folder: folder)
        for result in await downloader.download(outputs) {
            switch result {
            case .saved(let path, let bytes): say("  saved \(path) (\(bytes) bytes)")
            case .refused(let file, let reason), .failed(let file, let reason): problem("\(file.filename): \(reason)")
            }
        }
    }
}
