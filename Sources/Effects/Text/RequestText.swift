import ComfyCore

/// What became of a submission a moment after it was made, in the words every front end
/// uses (the shell's `submit`, the dashboard's submit button): one rule for when it has
/// settled, one wording for each outcome.
public enum SubmissionOutcome: Sendable, Equatable {
    /// The server took it (its queue number is known).
    case accepted(PromptRecord)
    /// The server, or the fleet's routing, refused it.
    case rejected(QueueState.Rejection)
    /// It waits: in our own queue until a server can take it (`inOurQueue`), or in a
    /// server's outbox until that server is back.
    case waiting(inOurQueue: Bool)

    /// The outcome is known: the POST's answer (a queue number, not an `execution_start`
    /// that can overtake it) or a refusal came, or the submission waits (in our queue, or in
    /// an outbox).
    public static func hasSettled(_ id: String, in state: AppState) -> Bool {
        if state.queue.rejected.contains(where: { $0.promptID == id }) { return true }
        guard let record = state.queue.prompts[id] else { return false }
        if record.number != nil { return true }
        if record.status == .waiting, record.server == nil { return true }
        return state.servers.contains { server in
            server.connection.outbox.contains { if case .postPrompt(id, _) = $0.command { true } else { false } }
        }
    }

    /// The outcome as `state` has it (call after `hasSettled`, or after waiting long enough).
    public init(id: String, state: AppState) {
        if let rejection = state.queue.rejected.last(where: { $0.promptID == id }) {
            self = .rejected(rejection)
        } else if let record = state.queue.prompts[id], record.accepted {
            self = .accepted(record)
        } else {
            self = .waiting(inOurQueue: state.queue.prompts[id]?.status == .waiting)
        }
    }

    /// Refused: the front end shows it as a problem.
    public var isProblem: Bool {
        if case .rejected = self { return true }
        return false
    }

    /// The headline: `submitted <id> (5 nodes) as #3`, `rejected (400 prompt_outputs_failed_validation): …`,
    /// `<id> waits in our queue (…)`, `<id> waits for the connection (…)`. `variation`: the
    /// values a `--vary` prompt was made with (`Progress.seed=2`), said after ` · `;
    /// `namingServer`: say which server took it (` on gpu1`), for a fleet.
    public func headline(id: String, nodes: Int, variation: String? = nil, namingServer: Bool = false) -> String {
        let varied = variation.map { " · \($0)" } ?? ""
        switch self {
        case .rejected(let rejection):
            return "rejected\(varied) (\(rejection.status) \(rejection.type)): \(rejection.message)"
        case .accepted(let record):
            let on = namingServer ? " on \(record.server ?? "?")" : ""
            return "submitted \(id) (\(nodes) nodes) as #\(record.number.map(JSONWriter.number) ?? "?")\(on)\(varied)"
        case .waiting(inOurQueue: true):
            return "\(id) waits in our queue (no server can take it now; it is sent when one can)\(varied)"
        case .waiting(inOurQueue: false):
            return "\(id) waits for the connection (it is sent after the next resync)\(varied)"
        }
    }

    /// What follows the headline: each node a refusal names, or each output the server
    /// said it will drop (`! dropped by the server: …`, without the `! ` a front end styles).
    public var details: [(warning: Bool, text: String)] {
        switch self {
        case .rejected(let rejection): rejection.nodeErrors.map { (false, EventText.nodeErrorLine($0)) }
        case .accepted(let record): record.warnings.map { (true, "dropped by the server: " + EventText.nodeErrorLine($0)) }
        case .waiting: []
        }
    }
}

/// Prompt ids as people type them: a unique prefix, like git's hashes.
public enum PromptIDs {
    /// Why a prefix names no single prompt.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The one prompt whose id starts with `prefix`, or a message saying why not.
    public static func resolve(_ prefix: String, in state: AppState) throws(Problem) -> String {
        let ids = state.queue.prompts.keys.filter { $0.hasPrefix(prefix.lowercased()) }
        if ids.count == 1 { return ids[0] }
        if ids.isEmpty { throw Problem(description: "no prompt matches '\(prefix)'") }
        throw Problem(description: "'\(prefix)' is ambiguous: \(ids.sorted().map { String($0.prefix(12)) }.joined(separator: ", "))")
    }
}
