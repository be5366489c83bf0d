import ComfyLive
import Foundation
import ComfySimulator
import ComfyCore

/// Submitting, following and collecting prompts.
extension ShellSession {
    /// `submit FILE`: a workflow in either format (an editor file is converted by the
    /// server it goes to), with `--set`, `--vary` (one prompt per combination) and `--seed`
    /// checked against the fleet's first catalogue that converts it, before anything is sent.
    func submit(_ file: String, front: Bool, watch: Bool, on pinned: [String] = [], choices options: WorkflowOptions = WorkflowOptions()) async {
        let choices: WorkflowChoices
        let source: WorkflowFile
        do { choices = try options.parsed() } catch { return problem("\(error)") }
        if file == "demo" {
            source = WorkflowFile(name: "demo", json: ComfyUISimulator.demoWorkflow, isEditorFormat: false)
        } else {
            do { source = try WorkflowFile.load(path: file) } catch {
                return problem("\(error)")
            }
        }
        guard let fleet = connected() else { return }
        if let unknown = pinned.first(where: { store.state.server(named: $0) == nil }) {
            return problem("--on \(unknown): no such server ('servers' lists them)")
        }
        if source.needsCatalog(choices), fleet.catalogs().isEmpty {
            // Just connected: the catalogue follows the connection.
            await settle({ state in
                state.servers.contains { $0.capabilities?.catalog != nil } || !state.servers.contains { $0.connection.isOnline }
            }, seconds: 10)
        }
        let workflows: [Workflow]
        do { workflows = try source.workflows(choices, catalogs: fleet.catalogs().map(\.catalog)) } catch {
            return problem(error.message(file: source.name))
        }
        var ids: [String] = []
        for workflow in workflows {
            ids.append(await fleet.submit(workflow, front: front, on: pinned.isEmpty ? nil : pinned, label: workflow.label))
        }
        let submitted = ids
        await settle { state in submitted.allSatisfy { SubmissionOutcome.hasSettled($0, in: state) } }
        let state = store.state
        for (id, workflow) in zip(ids, workflows) {
            let outcome = SubmissionOutcome(id: id, state: state)
            let headline = outcome.headline(id: id, nodes: workflow.nodes.count, variation: workflow.variation, namingServer: state.servers.count > 1)
            if outcome.isProblem { problem(headline) } else { say(headline) }
            for detail in outcome.details {
                say(detail.warning ? style.yellow("  ! ") + detail.text : "  " + detail.text)
            }
        }
        if watch { await self.watch(until: ids) }
    }

    /// Follows live progress (shown by the follower) until Ctrl-C, or until `ids` end.
    func watch(until ids: [String]?) async {
        if let ids, let id = ids.first {
            let which = ids.count == 1 ? "\(id.prefix(8))" : "\(ids.count) prompts"
            say(style.dim("following \(which) — Ctrl-C stops following (the prompt\(ids.count == 1 ? "" : "s") keep\(ids.count == 1 ? "s" : "") running)"))
            await store.until { state in ids.allSatisfy { state.queue.prompts[$0]?.status.isTerminal ?? true } }
            if Task.isCancelled {
                say(style.dim("stopped following \(which); \(ids.count == 1 ? "it keeps" : "they keep") running ('cancel \(id.prefix(8))' stops it)"))
            }
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
