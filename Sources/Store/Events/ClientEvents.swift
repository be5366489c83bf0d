/// Derives `ClientEvent`s from state changes: the one place that says what a change means
/// to a person. Keeps a little memory (the last progress step told per prompt, which
/// prompts' warnings were told), so one value per follower: `ComfyStore.updates()` makes
/// one for each subscription.
public struct ClientEvents: Sendable {
    /// Last reported progress step per prompt, so each tick is told once.
    private var lastStep: [String: Step] = [:]
    /// Prompts whose `node_errors` (dropped outputs) have been told.
    private var warned: Set<String> = []

    private struct Step: Equatable {
        var node: String?
        var value: Double
        var max: Double
    }

    /// A deriver that has told nothing yet: one per follower.
    public init() {}

    /// The events one change caused, in the order a person should read them: the
    /// connection, then each prompt that changed (by queue number, then by when we learned
    /// of it), rejections, progress, previews, resync findings.
    public mutating func derive(_ change: Change) -> [ClientEvent] {
        derive(change.action, before: EventBasis(change.old), after: change.new)
    }

    /// The events `action` caused, from what the state before it held (`before`) to the
    /// state after it. `progress: false` leaves out progress reports (a follower that shows
    /// progress from the state, not from events).
    mutating func derive(_ action: ComfyAction, before old: EventBasis, after new: AppState, progress withProgress: Bool = true) -> [ClientEvent] {
        var out: [ClientEvent] = []
        for server in new.servers {
            let previous = old.server(named: server.name)?.phase ?? .idle
            guard previous != server.connection.phase else { continue }
            out.append(.connection(ConnectionChange(
                server: server.name, phase: server.connection.phase, previous: previous,
                connects: server.connection.connects, reconnects: server.connection.reconnects)))
        }
        if old.queue.records != new.queue.records {
            for id in Self.changedIDs(old.queue, new.queue) {
                prompt(new.queue.records[id]!, before: old.queue.records[id], into: &out)
            }
        }
        if old.queue.rejected != new.queue.rejected {
            // Appended at the end; at capacity the oldest fall off the front.
            for rejection in new.queue.rejected where !old.queue.rejected.contains(rejection) { out.append(.rejected(rejection)) }
        }
        if withProgress {
            for server in new.servers {
                if let report = progress(server, new.queue) { out.append(.progress(report)) }
            }
        }
        if let image = preview(action, before: old, after: new) { out.append(.preview(image)) }
        if case .http(.resynced(let snapshot, _)) = action.event {
            var findings = ResyncFindings(snapshot: snapshot, old: old.queue, new: new.queue)
            findings.server = new.index(of: action.server).map { new.servers[$0].name }
            out.append(.resynced(findings))
        }
        return out
    }

    /// Warnings not told yet: a submission's answer can arrive after its prompt ended, so a
    /// front end that stops when its prompts end asks for these last.
    public mutating func untoldWarnings(_ state: AppState) -> [ClientEvent] {
        state.queue.orderedIDs.compactMap { id in
            guard !warned.contains(id), let record = state.queue.records[id], !record.warnings.isEmpty else { return nil }
            warned.insert(id)
            return .warnings(promptID: id, record.warnings)
        }
    }

    private mutating func prompt(_ record: PromptRecord, before: PromptRecord?, into out: inout [ClientEvent]) {
        let id = record.id
        if record.resubmitted > (before?.resubmitted ?? 0) {
            // Sent again on the server that forgot it, or taken off a server that was lost.
            if let from = before?.server, from != record.server {
                out.append(.rerouted(promptID: id, from: from))
            } else {
                out.append(.resubmitted(promptID: id))
            }
        }
        if before?.accepted != true, record.accepted {
            if !record.warnings.isEmpty { warned.insert(id) }
            out.append(.accepted(promptID: id, number: record.number, warnings: record.warnings))
        } else if record.warnings != before?.warnings ?? [], !record.warnings.isEmpty {
            // The POST's answer came after the prompt's first events (which made it
            // accepted): its `node_errors` still have to be told.
            warned.insert(id)
            out.append(.warnings(promptID: id, record.warnings))
        }
        if before?.status != record.status, record.status != .queued {
            out.append(statusEvent(record))
        } else if record.status == .ended, record.fromHistory, before?.fromHistory != true {
            // History answered, and did not say how it ended: nothing more will.
            out.append(.finished(record))
        }
        for output in record.outputs where !(before?.outputs.contains(output) ?? false) {
            out.append(.output(promptID: id, node: output.key, output: output.value))
        }
    }

    private func statusEvent(_ record: PromptRecord) -> ClientEvent {
        switch record.status {
        case .running: .started(record)
        case .ended where !record.fromHistory: .ended(promptID: record.id)
        default: .finished(record)
        }
    }

    private mutating func progress(_ server: ServerState, _ queue: QueueState) -> ProgressReport? {
        let p = server.progress
        // A step, or a node starting (no steps yet: what it will take is in the ETA, and a
        // node that reports no steps until its end would otherwise leave it unsaid).
        guard let id = p.promptID, p.max > 0 || p.node != nil, queue.records[id]?.status == .running, queue.records[id]?.server == server.name else { return nil }
        let step = Step(node: p.node, value: p.value, max: p.max)
        guard lastStep[id] != step else { return nil }
        lastStep[id] = step
        return ProgressReport(
            server: server.name, promptID: id, node: p.node, value: p.value, max: p.max, fraction: p.fraction,
            stepsPerSecond: p.stepsPerSecond, etaSeconds: p.etaSeconds, etaBasis: p.etaBasis)
    }

    /// A preview the reducer accepted (it counted it in `progress.preview`).
    private func preview(_ action: ComfyAction, before old: EventBasis, after new: AppState) -> PreviewImage? {
        guard case .binary(let message) = action.event, let index = new.index(of: action.server) else { return nil }
        let server = new.servers[index]
        guard let info = server.progress.preview, old.server(named: server.name)?.preview != info else { return nil }
        switch message {
        case .preview(let legacy):
            return PreviewImage(server: server.name, promptID: info.promptID, nodeID: info.nodeID, mimeType: info.mimeType, bytes: legacy.image)
        case .previewWithMetadata(let p):
            return PreviewImage(server: server.name, promptID: info.promptID, nodeID: info.nodeID, mimeType: info.mimeType, bytes: p.image)
        case .progressText: return nil
        }
    }

    /// Ids of the records that differ, in listing order (`QueueState.orderedIDs`' order),
    /// found without sorting the whole table.
    static func changedIDs(_ old: QueueState, _ new: QueueState) -> [String] {
        var changed: [PromptRecord] = []
        if let ids = new.changedPromptIDs(since: old) {
            // The reduction's journal: the few records it wrote, not the whole table.
            var seen = Set<String>()
            for id in ids where seen.insert(id).inserted {
                if let record = new.records[id], old.records[id] != record { changed.append(record) }
            }
        } else {
            for (id, record) in new.records where old.records[id] != record { changed.append(record) }
        }
        return changed.sorted(by: QueueState.listingOrder).map(\.id)
    }
}

/// What deriving a change's events reads of the state before it: the queue, and each
/// server's connection phase and latest preview — not the nodes, progress or log, so a
/// follower that derives events as the store dispatches (`ComfyStore.eventBatches`) need
/// not hold the whole previous state, whose every written part the reducer would then
/// have to copy.
struct EventBasis: Sendable {
    struct Server: Sendable {
        var name: String
        var phase: ConnectionState.Phase
        var preview: ProgressState.PreviewInfo?
    }

    var queue: QueueState
    var servers: [Server]

    init(_ state: AppState) {
        queue = state.queue
        servers = state.servers.map { Server(name: $0.name, phase: $0.connection.phase, preview: $0.progress.preview) }
    }

    func server(named name: String) -> Server? { servers.first { $0.name == name } }
}
