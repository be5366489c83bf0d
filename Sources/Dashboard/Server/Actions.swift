import ComfyCore
import ComfyLive
import ComfySimulator

/// What the page asks for: carried out by the fleet, by the core's rules, and answered in
/// the words the shell uses (`SubmissionOutcome`, `PromptIDs`, the log entries the
/// reducer wrote for the request).
struct Actions: Sendable {
    let fleet: ComfyFleet
    var settleWithin: Duration = .seconds(5)

    /// `{"ok", "prompt_id", "outcome", "message", "details": [{"warning", "text"}]}`.
    func submit(_ workflow: Workflow, front: Bool) async -> JSONValue {
        let id = await fleet.submit(workflow, front: front)
        _ = await fleet.store.until({ SubmissionOutcome.hasSettled(id, in: $0) }, within: settleWithin)
        let outcome = SubmissionOutcome(id: id, state: fleet.store.state)
        let kind: String
        switch outcome {
        case .accepted: kind = "accepted"
        case .rejected: kind = "rejected"
        case .waiting: kind = "waiting"
        }
        return .object([
            JSONField("ok", .bool(!outcome.isProblem)), JSONField("prompt_id", .string(id)), JSONField("outcome", .string(kind)),
            JSONField("message", .string(outcome.headline(id: id, nodes: workflow.nodes.count, namingServer: fleet.store.state.servers.count > 1))),
            JSONField("details", .array(outcome.details.map { .object([JSONField("warning", .bool($0.warning)), JSONField("text", .string($0.text))]) })),
        ])
    }

    /// The demo graph (`comfysh --demo`'s `submit demo`).
    static var demo: Workflow { Workflow(name: "demo", graph: ComfyUISimulator.demoWorkflow) }

    enum Request {
        case cancel(String)
        case interrupt(String?)
        case clear

        /// The kinds of log line the reducer writes for it (the request itself, the server's
        /// answer, or its HTTP failure).
        var kinds: Set<LogKind> {
            switch self {
            case .cancel: [.cancel, .queue, .interrupt, .http]  // a running prompt is cancelled by an interrupt
            case .interrupt: [.interrupt, .http]
            case .clear: [.queue, .cancel, .http]
            }
        }

        /// The request's last line is there: a warning said at once (nothing to cancel or
        /// interrupt), the server's answer, or an HTTP failure; for a clear, every usable
        /// server's answer.
        func isAnswered(by entries: [LogState.Entry], servers: Int) -> Bool {
            if entries.contains(where: { $0.kind == .http && $0.level == .error }) { return true }
            switch self {
            case .cancel: return entries.contains { $0.kind == .cancel || $0.kind == .queue || $0.kind == .interrupt }
            case .interrupt: return entries.contains { $0.kind == .interrupt }
            case .clear: return entries.filter { $0.kind == .queue && $0.message.hasPrefix("queue cleared") }.count >= servers
            }
        }
    }

    /// Cancel, interrupt or clear: `{"ok", "messages": [{"level", "text"}]}`, the messages
    /// being what the reducer logged for it (`prompt 1a2b3c4d cancelled before it was sent`,
    /// `no running prompt of ours to interrupt`…), or a prefix that names no single prompt.
    func perform(_ request: Request) async -> JSONValue {
        let before = fleet.store.state.log.total
        switch request {
        case .cancel(let prefix):
            do { await fleet.cancel(try PromptIDs.resolve(prefix, in: fleet.store.state)) } catch {
                return Self.answer(ok: false, [("warning", error.description)])
            }
        case .interrupt(let prefix?):
            do { await fleet.interrupt(try PromptIDs.resolve(prefix, in: fleet.store.state)) } catch {
                return Self.answer(ok: false, [("warning", error.description)])
            }
        case .interrupt(nil):
            await fleet.interrupt(nil)
        case .clear:
            await fleet.clear()
        }
        // The fleet hands a command to its client on a queue of its own, so `commandsDone`
        // can return before the client has it: the answer waits (a few seconds at most)
        // for the line the request ends with.
        let servers = fleet.store.state.servers.filter(\.isUsable).count
        _ = await fleet.store.until({ state in
            request.isAnswered(by: state.log.entries(after: before), servers: servers)
        }, within: settleWithin)
        // Only the lines this request wrote: others (a prompt starting, one finishing) are
        // logged meanwhile too, while the request's HTTP call is on its way.
        let kinds = request.kinds
        let entries = fleet.store.state.log.entries(after: before).filter { kinds.contains($0.kind) }
        let messages = entries.map { ($0.level.rawValue, $0.message) }
        return Self.answer(ok: !entries.contains { $0.level != .info }, messages)
    }

    static func answer(ok: Bool, _ messages: [(String, String)]) -> JSONValue {
        .object([
            JSONField("ok", .bool(ok)),
            JSONField("messages", .array(messages.map { .object([JSONField("level", .string($0.0)), JSONField("text", .string($0.1))]) })),
        ])
    }
}
