import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

/// Submitting, following and collecting prompts.
extension ShellSession {
    func submit(_ file: String, front: Bool, watch: Bool, on pinned: [String] = []) async {
        let workflow: Workflow
        if file == "demo" {
            workflow = Workflow(name: "demo", graph: ComfyUISimulator.demoWorkflow)
        } else {
            do { workflow = try Workflow.load(path: file) } catch {
                return problem("\(error)")
            }
        }
        guard let fleet = connected() else { return }
        if let unknown = pinned.first(where: { store.state.server(named: $0) == nil }) {
            return problem("--on \(unknown): no such server ('servers' lists them)")
        }
        let id = await fleet.submit(workflow, front: front, on: pinned.isEmpty ? nil : pinned, label: (workflow.name as NSString).lastPathComponent)
        await settle { SubmissionOutcome.hasSettled(id, in: $0) }
        let outcome = SubmissionOutcome(id: id, state: store.state)
        let headline = outcome.headline(id: id, nodes: workflow.nodes.count)
        if outcome.isProblem { problem(headline) } else { say(headline) }
        for detail in outcome.details {
            say(detail.warning ? style.yellow("  ! ") + detail.text : "  " + detail.text)
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

    func outputs(_ prefix: String, to folder: String?) async {
        guard let id = resolve(prefix) else { return }
        let outputs = store.state.queue.prompts[id]?.outputs ?? []
        let files = OutputFiles.files(in: outputs)
        guard !files.isEmpty else { return say("no output files for \(id.prefix(8))") }
        guard let folder else {
            return say(files.map { "  node \($0.node): \($0.subfolder.isEmpty ? "" : $0.subfolder + "/")\($0.filename) (\($0.type))" }.joined(separator: "\n"))
        }
        guard let fleet else { return problem("not connected: cannot download") }
        for result in await fleet.download(outputsOf: id, to: folder) {
            switch result {
            case .saved(let path, let bytes): say("  saved \(path) (\(bytes) bytes)")
            case .refused(let file, let reason), .failed(let file, let reason): problem("\(file.filename): \(reason)")
            }
        }
    }
}
