import ComfyCore

/// Turns transcript entries into the actions the live client would have dispatched:
/// socket lines become connection events, incoming frames go through the real decoder,
/// HTTP lines through the real HTTP result decoder, and `t` is the action's time.
public enum TranscriptActions {
    /// The actions for `entry`, given the state so far (binary progress text depends on
    /// what the server negotiated).
    public static func actions(for entry: TranscriptEntry, in state: AppState) -> [ComfyAction] {
        actions(for: entry, progressTextMetadata: state.connection.progressTextMetadata)
    }

    /// The same, given only what it reads of the state.
    static func actions(for entry: TranscriptEntry, progressTextMetadata: Bool) -> [ComfyAction] {
        let at = Timestamp(seconds: entry.t)
        switch entry {
        case .meta, .note:
            return []
        case .open(_, let socket, let path):
            return [ComfyAction(at: at, .connection(.opened(socket: socket, path: path, clientID: clientID(inPath: path))))]
        case .close(_, let socket):
            // The recorder always closed its own sockets; it did not record a close code.
            return [ComfyAction(at: at, .connection(.closed(socket: socket, code: nil, reason: "closed by the client", byClient: true)))]
        case .text(_, let socket, let incoming, let text):
            if incoming { return [FrameDecoder.decode(text: text, at: at)] }
            let frame = try? JSONValue.parse(text)
            let type = frame?["type"]?.stringValue ?? "?"
            return [ComfyAction(at: at, .connection(.sent(socket: socket, type: type, data: frame?["data"] ?? .null)))]
        case .binary(_, _, let bytes):
            guard let bytes else {
                return [ComfyAction(at: at, .protocolError(ProtocolError(reason: "binary frame with invalid base64", excerpt: "")))]
            }
            let layout: BinaryDecoder.ProgressTextLayout = progressTextMetadata ? .withPromptID : .released
            return [BinaryDecoder.decode(bytes, at: at, layout: layout)]
        case .http(_, let method, let path, let status, let request, let response):
            let result = HTTPResultDecoder.decode(
                method: method, path: path, status: status, request: request.isNull ? nil : request,
                response: response)
            return [ComfyAction(at: at, .http(result))]
        }
    }

    /// `clientId` from `/ws?clientId=…` (nil when absent or empty).
    public static func clientID(inPath path: String) -> String? {
        guard let query = path.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first == "clientId", parts.count == 2, !parts[1].isEmpty { return String(parts[1]) }
        }
        return nil
    }

    /// One replayed action: where it came from, and what it did.
    public struct Step {
        /// The transcript line it came from (1 is the meta line).
        public let line: Int
        /// The action that line gave.
        public let action: ComfyAction
        /// The state before it.
        public let old: AppState
        /// The state after it.
        public let new: AppState
        /// What the live client would now do (a replay does not do it).
        public let commands: [Command]
    }

    /// Replays `entries` from `state`, calling `each` with every step.
    public static func replay(
        _ entries: [(line: Int, entry: TranscriptEntry)], into state: inout AppState, each: (Step) -> Void
    ) {
        for (line, entry) in entries {
            for action in actions(for: entry, in: state) {
                let old = state
                let commands = state.apply(action)
                each(Step(line: line, action: action, old: old, new: state, commands: commands))
            }
        }
    }

    /// Replays `entries` from `state` without observing the steps (the fast path).
    public static func replay(_ entries: [(line: Int, entry: TranscriptEntry)], into state: inout AppState) {
        for (_, entry) in entries {
            for action in actions(for: entry, in: state) { state.apply(action) }
        }
    }

    // MARK: Streaming a file

    /// Replays the transcript at `path` from `state`, reading it line by line
    /// (`TranscriptFile`): memory stays flat whatever the file's size. Throws at the first
    /// line that is not a transcript line, with the state as far as the lines before it.
    public static func replay(path: String, into state: inout AppState) throws(TranscriptError) {
        var decoder = TranscriptLineDecoder()
        try TranscriptFile.forEachLine(path: path) { number, line throws(TranscriptError) in
            try decoder.actions(line: line, number: number, progressTextMetadata: progressTextMetadata(state)) {
                state.apply($0)
            }
        }
    }

    /// Replays the transcript at `path`, calling `each` with every step, after checking
    /// every line first (a file with a bad line shows no step, as `replay(_:into:each:)`
    /// of a file read whole does).
    public static func replay(path: String, into state: inout AppState, each: (Step) -> Void) throws(TranscriptError) {
        try check(path: path)
        var decoder = TranscriptLineDecoder()
        try TranscriptFile.forEachLine(path: path) { number, line throws(TranscriptError) in
            try decoder.actions(line: line, number: number, progressTextMetadata: progressTextMetadata(state)) { action in
                let old = state
                let commands = state.apply(action)
                each(Step(line: number, action: action, old: old, new: state, commands: commands))
            }
        }
    }

    /// `state.connection.progressTextMetadata`, read in place: `connection` returns a copy
    /// of the primary server's connection (its strings retained and released), once per
    /// line.
    @inline(__always)
    static func progressTextMetadata(_ state: AppState) -> Bool {
        state.servers.isEmpty ? false : state.servers[0].connection.progressTextMetadata
    }

    /// Throws the error of the first line of `path` that is not a transcript line.
    public static func check(path: String) throws(TranscriptError) {
        var decoder = TranscriptLineDecoder()
        try TranscriptFile.forEachLine(path: path) { number, line throws(TranscriptError) in
            try decoder.check(line: line, number: number)
        }
    }
}
