import ArgumentParser
import ComfyLive
import Foundation
import ComfyCore

/// `comfysh run WORKFLOW.json…`: submit, follow live to the end, download outputs.
public struct RunCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Submit workflows (either format) and follow them to the end.",
        discussion: """
            A workflow saved by the editor (its plain "Save") is converted to the API format \
            with the /object_info of the server it goes to (docs/workflows.md); a file in the \
            API format is sent as it is. --set NODE.INPUT=VALUE changes an input (NODE: a node \
            id or a unique title); --vary NODE.INPUT=a,b,c or =1..8 submits one prompt per \
            value, one per combination with several, each labelled with its values; values \
            are checked against the server's catalogue before anything is sent. A seed whose \
            "control after generate" is randomize gets a fresh value per prompt (--seed fixed \
            keeps the saved values).

            Each workflow is submitted under a prompt id chosen here, so a retry after a \
            dropped connection never queues it twice. The run keeps its connection through \
            drops and server restarts (reconnecting with backoff and resyncing what it missed) \
            until every prompt has ended. A prompt that a restarted server forgot is \
            submitted again under the same id, once per restart and at most twice \
            (--no-resubmit: it is reported lost).

            With --json, one JSON object per line for each event (accepted, warnings, running, progress, \
            output, succeeded, failed, interrupted, rejected, connection, resync), and as the \
            last line a summary: {"status", "prompts": [{"prompt_id", "status", "outputs", \
            "label"}]} (with a single workflow also "prompt_id" and "outputs"); "accepted" \
            events carry the prompt's "label" too (the file's name, and the --vary values).

            Exit status: 0 all succeeded; 1 some failed, were interrupted, cancelled, lost or \
            ended without history saying how; \
            2 bad input (a file missing, empty, not JSON or not a workflow; one that cannot \
            be converted; a bad option, --set or --vary value; the server rejected a prompt — \
            its errors are printed per node; the server refused our credentials); 3 the \
            server could not be reached (or its node catalogue, needed to convert, could not be \
            read), or is not a ComfyUI \
            server, within the connect timeout. A server error (5xx) on a submission counts as \
            a failed prompt (1).
            """
    )

    @Argument(help: ArgumentHelp("Workflow files: the editor's format (its \"Save\") or the API format (\"Export (API)\").", valueName: "workflow.json"),
              completion: .file(extensions: ["json"]))
    var workflows: [String] = []

    @OptionGroup var server: ServerOptions
    @OptionGroup var choices: WorkflowOptions

    @Flag(help: "One JSON object per line for each event; a summary last.")
    var json = false

    @Option(help: ArgumentHelp("Download every output file into this folder.", valueName: "dir"), completion: .directory)
    var out: String?

    @Flag(help: "With --out: replace files that already exist (default: save as 'name (1).png').")
    var overwrite = false

    @Flag(help: "Put the prompts at the front of the queue.")
    var front = false

    @Option(help: "An explicit queue priority for the prompts (lowest runs first).")
    var number: Double?

    @Option(name: .customLong("on"), help: ArgumentHelp("Run only on this server (its name; repeatable: any of them).", valueName: "name"))
    var pinned: [String] = []

    @Option(help: "How many jobs of ours may wait on one server beyond the one it runs; the rest wait here.")
    var maxWaiting = 1

    @Flag(help: "If a server is lost or restarts and forgets a prompt that had started, report it lost (exit 1) instead of running it again (at most twice; a prompt that had not started is always sent again).")
    var noResubmit = false

    @Flag(help: "First take up the unfinished jobs of the job store that no running comfysh follows (after a crash): follow the ones on a server, send the ones never sent.")
    var resume = false

    @Option(help: ArgumentHelp("The job store: every job is written there before it is sent (default: $XDG_STATE_HOME/comfysh/jobs.sqlite).", valueName: "file"))
    var jobs: String?

    public init() {}

    public func validate() throws {
        if workflows.isEmpty, !resume { throw ValidationError("Missing expected argument '<workflow.json> ...' (or --resume)") }
        if maxWaiting < 0 { throw ValidationError("--max-waiting must be 0 or more") }
    }

    public func run() async throws {
        let files: [WorkflowFile]
        let choices: WorkflowChoices
        let fleetSettings: FleetSettings
        let configurations: [ClientConfiguration]
        let store: SQLiteJobStore
        do {
            files = try workflows.map { path throws(Workflow.Problem) in try WorkflowFile.load(path: path) }
            do { choices = try self.choices.parsed() } catch { throw UsageProblem(error.description) }
            // The user asked for these prompts to run: one a server forgot, or that was on a
            // lost server, is sent again.
            let policy = FleetPolicy(maxWaitingPerServer: maxWaiting, rerunLimit: noResubmit ? 0 : 2)
            (fleetSettings, configurations) = try server.configurations(policy: policy)
            let names = Set(configurations.compactMap(\.name))
            if let unknown = pinned.first(where: { !names.contains($0) }) {
                throw UsageProblem("--on \(unknown): no such server (the fleet has \(configurations.compactMap(\.name).joined(separator: ", ")))")
            }
            store = try SQLiteJobStore(path: jobs ?? SQLiteJobStore.defaultPath)
        } catch {
            Terminal.error("comfysh run: \(error)")
            throw ExitCode(2)
        }
        let fleet = ComfyFleet(servers: configurations, clock: ContinuousClock(), jobs: store, policy: fleetSettings.policy)
        let trace = await RunTrace.start(fleet)
        defer { trace?.cancel() }
        var names: [String: String] = [:]
        var ids: [String] = []
        var resumedUpdates: StoreUpdates.AsyncIterator?
        if resume {
            // The orphans are restored before any server is reached: each server's resync
            // after it connects then asks about the ones it holds (one that ended while no
            // comfysh followed it included), and events about them that come first update
            // their records (with their workflows, to send elsewhere if that server is lost)
            // instead of making new ones that the job store does not follow. Subscribed
            // first, so that one ending while the servers are opened is told.
            resumedUpdates = fleet.updates().makeAsyncIterator()
            do { try await fleet.resume() } catch {
                Terminal.error("comfysh run: \(error)")
                await fleet.stop()
                throw ExitCode(2)
            }
            for record in fleet.store.state.queue.prompts.values.sorted(by: { $0.seen < $1.seen }) where record.owner == .ours && !record.isSettled {
                ids.append(record.id)
                names[record.id] = record.label
            }
            if !json { Terminal.print("· resumed \(ids.count) unfinished job(s)") }
        }
        do {
            for (name, failure) in try await fleet.open().sorted(by: { $0.key < $1.key }) {
                Terminal.error("comfysh run: \(name): \(failure) (the other servers go on)")
            }
        } catch {
            Terminal.error("comfysh run: \(error)")
            throw ExitCode(error.kind == .refused ? 2 : 3)
        }
        // Converted and checked (--set, --vary) with the catalogues read at open, before
        // anything is sent; each server converts an editor workflow again with its own.
        var loaded: [Workflow] = []
        let catalogs = fleet.catalogs().map(\.catalog)
        for file in files {
            do { loaded += try file.workflows(choices, catalogs: catalogs) } catch {
                Terminal.error("comfysh run: \(error.message(file: file.name))")
                await fleet.stop()
                throw ExitCode(error == .noCatalog ? 3 : 2)
            }
        }
        // Subscribed before the first submission: every change since is in the stream, the
        // one that finishes the run included, so reading them all — even when the run is
        // already over by now (a quick rejection) — tells every event once.
        var updates = resumedUpdates ?? fleet.updates().makeAsyncIterator()
        let planned = loaded.map { workflow in (workflow, Workflow.newPromptID()) }
        for (workflow, id) in planned {
            ids.append(id)
            names[id] = workflow.label
        }
        // Submitted by a task of their own while this one follows the changes: read only
        // after the last submission, the changes of 10 000 submissions waited in the
        // stream, each holding its states before and after (`comfysh-bench fleet` follow).
        // 25 at a time (one job-store write each: a transaction per job was a second of
        // the 10 000's start), each batch sent once this follower has read all but the
        // last batch's submissions: the stream never holds much more than two batches of
        // changes, however busy the machine (unchecked, the peak varied by 15 MiB).
        let submissions = planned.map { workflow, id in
            JobSubmission(workflow, front: front, number: number, on: pinned.isEmpty ? nil : pinned, label: workflow.label, promptID: id)
        }
        let (followed, followedContinuation) = AsyncStream<Int>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let submitting = Task {
            var readUpTo = followed.makeAsyncIterator()
            var read = 0
            for start in stride(from: 0, to: submissions.count, by: 25) {
                while read < start - 25, let next = await readUpTo.next() { read = next }
                await fleet.submit(Array(submissions[start..<min(submissions.count, start + 25)]))
            }
        }
        var submittedRead = 0
        let tracked = Set(ids)
        let finished: @Sendable (AppState) -> Bool = { state in
            tracked.allSatisfy { id in
                state.queue.prompts[id]?.isSettled ?? state.queue.rejected.contains { $0.promptID == id }
            }
        }
        // Nothing left to wait for: every server refused us.
        let hopeless: @Sendable (AppState) -> Bool = { state in
            state.servers.allSatisfy { if case .failed = $0.connection.phase { true } else { false } }
        }
        let fleetLines = configurations.count > 1
        while let update = await updates.next() {
            if case .user(.submitJob) = update.change.action.event {
                submittedRead += 1
                followedContinuation.yield(submittedRead)
            }
            for event in update.events where Self.concerns(event, tracked) { emit(event, names: names, fleet: fleetLines) }
            if finished(update.state) || hopeless(update.state) { break }
        }
        followedContinuation.finish()  // the rest go without waiting
        await submitting.value
        // A submission's answer can still be on its way when its prompt has ended (the
        // worker was quicker): it belongs in the report.
        await fleet.commandsDone()
        for event in updates.events.untoldWarnings(fleet.store.state) where Self.concerns(event, tracked) {
            emit(event, names: names, fleet: fleetLines)
        }
        let state = fleet.store.state
        var outputs: [String: [JSONField]] = [:]
        for id in ids { outputs[id] = state.queue.prompts[id]?.outputs ?? [] }
        if let out {
            for id in ids where state.queue.prompts[id]?.status == .succeeded {
                for result in await fleet.download(outputsOf: id, to: out, overwrite: overwrite) { report(result, promptID: id, names: names) }
            }
        }
        await fleet.stop()
        if let problem = await fleet.jobStoreError { Terminal.error("comfysh run: \(problem)") }
        let summary = Self.summary(ids: ids, state: state, outputs: outputs, labels: names)
        if json {
            Terminal.print(JSONWriter.string(summary.json))
        } else {
            Terminal.print(summary.line)
        }
        if summary.code != 0 { throw ExitCode(summary.code) }
    }

    /// A run tells about its own prompts (and the connection), not others on the server.
    static func concerns(_ event: ClientEvent, _ tracked: Set<String>) -> Bool {
        event.promptID.map(tracked.contains) ?? !(event.isRejection)
    }

    func emit(_ event: ClientEvent, names: [String: String], fleet: Bool = false) {
        if json {
            if var object = event.json {
                // Which prompt of a batch it is: its file and --vary values.
                if case .accepted(let id, _, _) = event, let label = names[id], case .object(var fields) = object {
                    fields.append(JSONField("label", .string(label)))
                    object = .object(fields)
                }
                Terminal.print(JSONWriter.string(object))
            }
        } else if let line = EventText.line(event, names: names, fleet: fleet) {
            Terminal.print(line)
        }
    }

    func report(_ result: OutputFiles.Outcome, promptID: String, names: [String: String]) {
        switch result {
        case .saved(let path, let bytes):
            if json {
                Terminal.print(JSONWriter.string(.object([
                    JSONField("event", "downloaded"), JSONField("prompt_id", .string(promptID)), JSONField("path", .string(path)),
                    JSONField("bytes", .number(Double(bytes))),
                ])))
            } else {
                Terminal.print("  saved \(path) (\(bytes) bytes)")
            }
        case .refused(let file, let reason), .failed(let file, let reason):
            if json {
                Terminal.print(JSONWriter.string(.object([JSONField("event", "download_failed"), JSONField("prompt_id", .string(promptID)),
                                                          JSONField("filename", .string(file.filename)), JSONField("reason", .string(reason))])))
            } else {
                Terminal.error("comfysh run: \(file.filename): \(reason)")
            }
        }
    }

    struct Summary {
        var json: JSONValue
        var line: String
        var code: Int32
    }

    /// The last line: overall status, each prompt's status and outputs, and the exit code.
    static func summary(ids: [String], state: AppState, outputs: [String: [JSONField]], labels: [String: String] = [:]) -> Summary {
        var prompts: [JSONValue] = []
        var statuses: [String] = []
        for id in ids {
            let rejection = state.queue.rejected.last(where: { $0.promptID == id })
            // A 5xx is the server failing, not our input being refused: exit 1, not 2.
            let status = state.queue.prompts[id]?.status.rawValue
                ?? rejection.map { $0.status >= 500 ? "server_error" : "rejected" } ?? "unknown"
            statuses.append(status)
            var fields = [JSONField("prompt_id", .string(id)), JSONField("status", .string(status)),
                          JSONField("outputs", .object(outputs[id] ?? []))]
            if let error = state.queue.prompts[id]?.error { fields.append(JSONField("error", error.json)) }
            if let warnings = state.queue.prompts[id]?.warnings, !warnings.isEmpty {
                fields.append(JSONField("warnings", .array(warnings.map(\.json))))
            }
            if let rejection { fields.append(JSONField("rejection", rejection.json)) }
            if let label = labels[id] ?? state.queue.prompts[id]?.label { fields.append(JSONField("label", .string(label))) }
            prompts.append(.object(fields))
        }
        let code: Int32 =
            statuses.contains("rejected") ? 2
            : statuses.allSatisfy { $0 == "succeeded" } ? 0
            : (state.servers.allSatisfy { $0.connection.phase.name == "failed" } && statuses.contains("unknown")) ? 2 : 1
        let overall =
            statuses.allSatisfy { $0 == "succeeded" } ? "succeeded"
            : statuses.contains("rejected") ? "rejected" : statuses.contains("failed") ? "failed" : (statuses.first { $0 != "succeeded" } ?? "failed")
        var fields = [JSONField("status", .string(overall)), JSONField("prompts", .array(prompts))]
        if ids.count == 1 {
            fields.append(JSONField("prompt_id", .string(ids[0])))
            fields.append(JSONField("outputs", .object(outputs[ids[0]] ?? [])))
        }
        let counts = Dictionary(grouping: statuses, by: { $0 }).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
        return Summary(json: .object(fields), line: "\(overall == "succeeded" ? "✔" : "✘") \(ids.count) prompt(s): \(counts)", code: code)
    }
}
