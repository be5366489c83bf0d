#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One decoder per known message `type`, each reading its `data` object field by field.
/// Fields the protocol lists as optional may be missing or null; extra fields are skipped;
/// numbers may be integers or floats; node ids may be strings or numbers.
enum MessageDecoders {
    /// A known message type, matched against the frame's raw `type` bytes: no string is
    /// made and nothing hashed for a known type, and the decoder is called directly (the
    /// dictionary lookup, its string and the closure call were a tenth of decoding a
    /// small frame; the last five kinds went through that dictionary until now).
    enum Kind {
        case progressState, status, executing, progress, executed, executionStart, executionCached
        case executionSuccess, featureFlags, executionError, executionInterrupted, logs

        init?(raw: UnsafeBufferPointer<UInt8>) {
            func equals(_ literal: StaticString) -> Bool {
                raw.count == literal.utf8CodeUnitCount && memcmp(raw.baseAddress!, literal.utf8Start, raw.count) == 0
            }
            switch raw.count {
            case 14 where equals("progress_state"): self = .progressState
            case 6 where equals("status"): self = .status
            case 9 where equals("executing"): self = .executing
            case 8 where equals("progress"): self = .progress
            case 8 where equals("executed"): self = .executed
            case 15 where equals("execution_start"): self = .executionStart
            case 15 where equals("execution_error"): self = .executionError
            case 16 where equals("execution_cached"): self = .executionCached
            case 17 where equals("execution_success"): self = .executionSuccess
            case 13 where equals("feature_flags"): self = .featureFlags
            case 21 where equals("execution_interrupted"): self = .executionInterrupted
            case 4 where equals("logs"): self = .logs
            default: return nil
            }
        }

        init?(_ type: String) {
            var type = type
            guard let kind = type.withUTF8({ Kind(raw: $0) }) else { return nil }
            self = kind
        }

        /// The type's name, as a constant string.
        var name: String {
            switch self {
            case .progressState: "progress_state"
            case .status: "status"
            case .executing: "executing"
            case .progress: "progress"
            case .executed: "executed"
            case .executionStart: "execution_start"
            case .executionCached: "execution_cached"
            case .executionSuccess: "execution_success"
            case .featureFlags: "feature_flags"
            case .executionError: "execution_error"
            case .executionInterrupted: "execution_interrupted"
            case .logs: "logs"
            }
        }

        func decode(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
            switch self {
            case .progressState: return try MessageDecoders.progressState(&r)
            case .status: return try MessageDecoders.status(&r)
            case .executing: return try MessageDecoders.executing(&r)
            case .progress: return try MessageDecoders.progress(&r)
            case .executed: return try MessageDecoders.executed(&r)
            case .executionCached: return try MessageDecoders.executionCached(&r)
            case .logs: return try MessageDecoders.logs(&r)
            case .executionStart:
                let (id, ts) = try promptAndTimestamp(&r, "execution_start")
                return .executionStart(promptID: id, timestamp: ts)
            case .executionSuccess:
                let (id, ts) = try promptAndTimestamp(&r, "execution_success")
                return .executionSuccess(promptID: id, timestamp: ts)
            case .featureFlags: return .featureFlags(try r.readValue())
            case .executionError: return .executionError(try failure(&r, "execution_error"))
            case .executionInterrupted: return .executionInterrupted(try failure(&r, "execution_interrupted"))
            }
        }
    }

    static func missing(_ field: String, in type: String, _ r: JSONReader) -> JSONError {
        JSONError("\(type) without \(field)", at: r.offset)
    }

    static func status(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
        var remaining: Int?
        var sid: String?
        try r.members { r, key throws(JSONError) in
            if key.matches("status") {
                try r.members { r, key throws(JSONError) in
                    guard key.matches("exec_info") else { return try r.skipValue() }
                    try r.members { r, key throws(JSONError) in
                        guard key.matches("queue_remaining") else { return try r.skipValue() }
                        if let d = try r.readNumberOrNull() { remaining = Int(exactly: d.rounded()) }
                    }
                }
            } else if key.matches("sid") {
                sid = try r.readStringOrNull()
            } else {
                try r.skipValue()
            }
        }
        return .status(.init(queueRemaining: remaining, sid: sid))
    }

    static func promptAndTimestamp(_ r: inout JSONReader, _ type: String) throws(JSONError) -> (String, Double?) {
        var id: String?
        var ts: Double?
        try r.members { r, key throws(JSONError) in
            if key.matches("prompt_id") {
                id = try r.readPromptIDOrNull()
            } else if key.matches("timestamp") {
                ts = try r.readNumberOrNull()
            } else {
                try r.skipValue()
            }
        }
        guard let id else { throw missing("prompt_id", in: type, r) }
        return (id, ts)
    }

    static func executionCached(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
        var id: String?
        var ts: Double?
        var nodes: [String] = []
        try r.members { r, key throws(JSONError) in
            if key.matches("nodes") {
                nodes = try r.readIDArray()
            } else if key.matches("prompt_id") {
                id = try r.readPromptIDOrNull()
            } else if key.matches("timestamp") {
                ts = try r.readNumberOrNull()
            } else {
                try r.skipValue()
            }
        }
        guard let id else { throw missing("prompt_id", in: "execution_cached", r) }
        return .executionCached(promptID: id, nodes: nodes, timestamp: ts)
    }

    static func executing(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
        var node: String?
        var display: String?
        var id: String?
        try r.members { r, key throws(JSONError) in
            if key.matches("node") {
                node = try r.readIDOrNull()
            } else if key.matches("display_node") {
                display = try r.readIDOrNull()
            } else if key.matches("prompt_id") {
                id = try r.readPromptIDOrNull()
            } else {
                try r.skipValue()
            }
        }
        guard node != nil || id != nil else { throw missing("node and prompt_id", in: "executing", r) }
        return .executing(.init(node: node, displayNode: display, promptID: id))
    }

    static func progress(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
        var value: Double?
        var max: Double?
        var id: String?
        var node: String?
        try r.members { r, key throws(JSONError) in
            if key.matches("value") {
                value = try r.readNumberOrNull()
            } else if key.matches("max") {
                max = try r.readNumberOrNull()
            } else if key.matches("prompt_id") {
                id = try r.readPromptIDOrNull()
            } else if key.matches("node") {
                node = try r.readIDOrNull()
            } else {
                try r.skipValue()
            }
        }
        guard let value else { throw missing("value", in: "progress", r) }
        guard let max else { throw missing("max", in: "progress", r) }
        return .progress(.init(value: value, max: max, promptID: id, node: node))
    }

    static func progressState(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
        var id: String?
        // The prompt id's bytes, which every node entry repeats (when it came first).
        var rawID: UnsafeBufferPointer<UInt8>?
        var nodes: [ServerMessage.NodeProgress] = []
        try r.members { r, key throws(JSONError) in
            if key.matches("prompt_id") {
                r.skipWhitespace()
                let start = r.pos
                id = try r.readPromptIDOrNull()
                if let id, r.bytes[start] == 0x22, r.pos - start - 2 == id.utf8.count {
                    rawID = UnsafeBufferPointer(rebasing: r.bytes[(start + 1)..<(r.pos - 1)])
                }
            } else if key.matches("nodes") {
                nodes.reserveCapacity(8)  // one allocation for a typical snapshot, not three
                try r.members { r, nodeKey throws(JSONError) in
                    nodes.append(try nodeProgress(&r, key: nodeKey.string, raw: nodeKey.raw, promptID: rawID))
                }
            } else {
                try r.skipValue()
            }
        }
        guard let id else { throw missing("prompt_id", in: "progress_state", r) }
        return .progressState(.init(promptID: id, nodes: nodes))
    }

    static func nodeProgress(
        _ r: inout JSONReader, key: String, raw: UnsafeBufferPointer<UInt8>? = nil, promptID: UnsafeBufferPointer<UInt8>? = nil
    ) throws(JSONError) -> ServerMessage.NodeProgress {
        let start = r.pos
        do throws(JSONError) {
            if let node = try nodeProgressAsWritten(&r, key: key, raw: raw, promptID: promptID) { return node }
        } catch {}
        // Not in the server's exact form: read field by field (which reports any error).
        r.pos = start
        return try nodeProgressByField(&r, key: key)
    }

    /// A node entry in the exact form ComfyUI writes it (Python's `json.dumps`: its key
    /// order and separators), matched as runs of known bytes with the values read in
    /// between; nil (the caller starts again field by field) at the first byte that
    /// differs. Why: a 500-node snapshot is ~100 KB of these, and reading each of the eight
    /// keys as a key (quotes, colon, whitespace, which field) was most of decoding it. The
    /// values are read by the same functions as `nodeProgressByField`, so the result is
    /// the same.
    @inline(__always)
    static func nodeProgressAsWritten(
        _ r: inout JSONReader, key: String, raw: UnsafeBufferPointer<UInt8>?, promptID: UnsafeBufferPointer<UInt8>?
    ) throws(JSONError) -> ServerMessage.NodeProgress? {
        r.skipWhitespace()
        guard r.skip(literal: #"{"value": "#) else { return nil }
        let value = try r.readNumberOrNull() ?? 0
        guard r.skip(literal: #", "max": "#) else { return nil }
        let max = try r.readNumberOrNull() ?? 1
        guard r.skip(literal: #", "state": "#) else { return nil }
        let state = try nodeState(&r)
        // The node's own key and the snapshot's prompt id, repeated: compared, not scanned.
        guard r.skip(literal: #", "node_id": "#) else { return nil }
        if raw == nil || !r.skip(quoted: raw!) { try r.skipValue() }
        guard r.skip(literal: #", "prompt_id": "#) else { return nil }
        if promptID == nil || !r.skip(quoted: promptID!) { try r.skipValue() }
        guard r.skip(literal: #", "display_node_id": "#) else { return nil }
        let display: String?
        if let raw, r.skip(quoted: raw) { display = key } else { display = try id(&r, sameAs: key) }
        guard r.skip(literal: #", "parent_node_id": "#) else { return nil }
        let parent = try r.readIDOrNull()
        guard r.skip(literal: #", "real_node_id": "#) else { return nil }
        let real: String?
        if let raw, r.skip(quoted: raw) { real = key } else { real = try id(&r, sameAs: key) }
        guard r.skip(literal: "}") else { return nil }
        return ServerMessage.NodeProgress(
            nodeID: key, value: value, max: max, state: state, displayNodeID: display, parentNodeID: parent, realNodeID: real)
    }

    static func nodeProgressByField(_ r: inout JSONReader, key: String) throws(JSONError) -> ServerMessage.NodeProgress {
        var node = ServerMessage.NodeProgress(nodeID: key, value: 0, max: 1, state: "running")
        // Eight fields per node and hundreds of nodes per snapshot: the field is told by its
        // length first, so each key is compared with one name, not tried against six.
        try r.members { r, field throws(JSONError) in
            switch field.raw?.count ?? -1 {
            case 5 where field.matches("value"): node.value = try r.readNumberOrNull() ?? 0
            case 3 where field.matches("max"): node.max = try r.readNumberOrNull() ?? 1
            case 5 where field.matches("state"): node.state = try nodeState(&r)
            case 15 where field.matches("display_node_id"): node.displayNodeID = try id(&r, sameAs: key)
            case 14 where field.matches("parent_node_id"): node.parentNodeID = try r.readIDOrNull()
            case 12 where field.matches("real_node_id"): node.realNodeID = try id(&r, sameAs: key)
            case -1:
                // A key with escapes: compared as a string.
                if field.matches("value") {
                    node.value = try r.readNumberOrNull() ?? 0
                } else if field.matches("max") {
                    node.max = try r.readNumberOrNull() ?? 1
                } else if field.matches("state") {
                    node.state = try nodeState(&r)
                } else if field.matches("display_node_id") {
                    node.displayNodeID = try id(&r, sameAs: key)
                } else if field.matches("parent_node_id") {
                    node.parentNodeID = try r.readIDOrNull()
                } else if field.matches("real_node_id") {
                    node.realNodeID = try id(&r, sameAs: key)
                } else {
                    try r.skipValue()
                }
            default: try r.skipValue()
            }
        }
        return node
    }

    /// An id that is usually the node's own key (display and real ids of a top-level
    /// node): the key itself when the bytes match, rather than a new string.
    static func id(_ r: inout JSONReader, sameAs key: String) throws(JSONError) -> String? {
        guard r.peek() == UInt8(ascii: "\"") else { return try r.readIDOrNull() }
        guard let raw = try r.readRawString() else { return try r.readString() }
        var key = key
        let same = key.withUTF8 { $0.count == raw.count && ($0.isEmpty || memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0) }
        return same ? key : String(decoding: raw, as: UTF8.self)
    }

    /// A node's `state`: almost always "finished" or "running", returned as constants
    /// rather than made from the bytes each time (a snapshot lists every node).
    static func nodeState(_ r: inout JSONReader) throws(JSONError) -> String {
        if try r.readNullIfPresent() { return "running" }
        guard let raw = try r.readRawString() else { return try r.readString() }
        if raw.count == 8, memcmp(raw.baseAddress!, ("finished" as StaticString).utf8Start, 8) == 0 { return "finished" }
        if raw.count == 7, memcmp(raw.baseAddress!, ("running" as StaticString).utf8Start, 7) == 0 { return "running" }
        return String(decoding: raw, as: UTF8.self)
    }

    static func executed(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
        var node: String?
        var display: String?
        var output: JSONValue = .null
        var id: String?
        try r.members { r, key throws(JSONError) in
            if key.matches("node") {
                node = try r.readIDOrNull()
            } else if key.matches("display_node") {
                display = try r.readIDOrNull()
            } else if key.matches("output") {
                output = try r.readValue()
            } else if key.matches("prompt_id") {
                id = try r.readPromptIDOrNull()
            } else {
                try r.skipValue()
            }
        }
        guard let node else { throw missing("node", in: "executed", r) }
        guard let id else { throw missing("prompt_id", in: "executed", r) }
        return .executed(.init(node: node, displayNode: display, output: output, promptID: id))
    }

    static func failure(_ r: inout JSONReader, _ type: String) throws(JSONError) -> ServerMessage.ExecutionFailure {
        var id: String?
        var f = ServerMessage.ExecutionFailure(promptID: "", nodeID: nil, nodeType: nil)
        try r.members { r, key throws(JSONError) in
            if key.matches("prompt_id") {
                id = try r.readPromptIDOrNull()
            } else if key.matches("node_id") {
                f.nodeID = try r.readIDOrNull()
            } else if key.matches("node_type") {
                f.nodeType = try r.readStringOrNull()
            } else if key.matches("executed") {
                f.executed = try r.readIDArray()
            } else if key.matches("exception_type") {
                f.exceptionType = try r.readStringOrNull()
            } else if key.matches("exception_message") {
                f.exceptionMessage = try r.readStringOrNull()
            } else if key.matches("traceback") {
                f.traceback = try r.readStringArray()
            } else if key.matches("current_inputs") {
                f.currentInputs = try r.readValue()
            } else if key.matches("timestamp") {
                f.timestamp = try r.readNumberOrNull()
            } else {
                try r.skipValue()
            }
        }
        guard let id else { throw missing("prompt_id", in: type, r) }
        f.promptID = id
        return f
    }

    static func logs(_ r: inout JSONReader) throws(JSONError) -> ServerMessage {
        var entries: [ServerMessage.LogLine] = []
        try r.members { r, key throws(JSONError) in
            guard key.matches("entries") else { return try r.skipValue() }
            try r.elements { r throws(JSONError) in
                var line = ServerMessage.LogLine(time: "", message: "")
                try r.members { r, field throws(JSONError) in
                    if field.matches("t") {
                        line.time = try r.readStringOrNull() ?? ""
                    } else if field.matches("m") {
                        line.message = try r.readStringOrNull() ?? ""
                    } else {
                        try r.skipValue()
                    }
                }
                entries.append(line)
            }
        }
        return .logs(.init(entries: entries))
    }
}
