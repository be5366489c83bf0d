#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One decoder per known message `type`, each reading its `data` object field by field.
/// Fields the protocol lists as optional may be missing or null; extra fields are skipped;
/// numbers may be integers or floats; node ids may be strings or numbers.
enum MessageDecoders {
    typealias Decode = @Sendable (inout JSONReader) throws(JSONError) -> ServerMessage

    static let byType: [String: Decode] = [
        "status": status,
        "feature_flags": { r throws(JSONError) in .featureFlags(try r.readValue()) },
        "execution_start": { r throws(JSONError) in
            let (id, ts) = try promptAndTimestamp(&r, "execution_start")
            return .executionStart(promptID: id, timestamp: ts)
        },
        "execution_success": { r throws(JSONError) in
            let (id, ts) = try promptAndTimestamp(&r, "execution_success")
            return .executionSuccess(promptID: id, timestamp: ts)
        },
        "execution_cached": executionCached,
        "executing": executing,
        "progress": progress,
        "progress_state": progressState,
        "executed": executed,
        "execution_error": { r throws(JSONError) in .executionError(try failure(&r, "execution_error")) },
        "execution_interrupted": { r throws(JSONError) in .executionInterrupted(try failure(&r, "execution_interrupted")) },
        "logs": logs,
    ]

    /// The known types, most frequent first, for matching a frame's `type` against the
    /// raw bytes: no string is made and nothing hashed for a known type (the dictionary
    /// lookup and the string were a tenth of decoding a small frame).
    static let known: [(name: StaticString, type: String, decode: Decode)] = [
        ("progress_state", "progress_state", progressState),
        ("status", "status", status),
        ("executing", "executing", executing),
        ("progress", "progress", progress),
        ("executed", "executed", executed),
        ("execution_start", "execution_start", byType["execution_start"]!),
        ("execution_cached", "execution_cached", executionCached),
        ("execution_success", "execution_success", byType["execution_success"]!),
        ("feature_flags", "feature_flags", byType["feature_flags"]!),
        ("execution_error", "execution_error", byType["execution_error"]!),
        ("execution_interrupted", "execution_interrupted", byType["execution_interrupted"]!),
        ("logs", "logs", logs),
    ]

    static func known(_ raw: UnsafeBufferPointer<UInt8>) -> (type: String, decode: Decode)? {
        for entry in known where entry.name.utf8CodeUnitCount == raw.count {
            if memcmp(raw.baseAddress!, entry.name.utf8Start, raw.count) == 0 { return (entry.type, entry.decode) }
        }
        return nil
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
                id = try r.readIDOrNull()
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
                id = try r.readIDOrNull()
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
                id = try r.readIDOrNull()
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
                id = try r.readIDOrNull()
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
        var nodes: [ServerMessage.NodeProgress] = []
        try r.members { r, key throws(JSONError) in
            if key.matches("prompt_id") {
                id = try r.readIDOrNull()
            } else if key.matches("nodes") {
                try r.members { r, nodeKey throws(JSONError) in
                    nodes.append(try nodeProgress(&r, key: nodeKey.string))
                }
            } else {
                try r.skipValue()
            }
        }
        guard let id else { throw missing("prompt_id", in: "progress_state", r) }
        return .progressState(.init(promptID: id, nodes: nodes))
    }

    static func nodeProgress(_ r: inout JSONReader, key: String) throws(JSONError) -> ServerMessage.NodeProgress {
        var node = ServerMessage.NodeProgress(nodeID: key, value: 0, max: 1, state: "running")
        try r.members { r, field throws(JSONError) in
            if field.matches("value") {
                node.value = try r.readNumberOrNull() ?? 0
            } else if field.matches("max") {
                node.max = try r.readNumberOrNull() ?? 1
            } else if field.matches("state") {
                node.state = try nodeState(&r)
            } else if field.matches("display_node_id") {
                node.displayNodeID = try r.readIDOrNull()
            } else if field.matches("parent_node_id") {
                node.parentNodeID = try r.readIDOrNull()
            } else if field.matches("real_node_id") {
                node.realNodeID = try r.readIDOrNull()
            } else {
                try r.skipValue()
            }
        }
        return node
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
                id = try r.readIDOrNull()
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
                id = try r.readIDOrNull()
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
