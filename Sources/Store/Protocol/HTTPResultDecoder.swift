/// Interprets an HTTP exchange with the server as an `HTTPResult`: the same code reads a
/// transcript's HTTP lines and (in Effects) live answers. Pure; never throws: a body
/// that does not have the expected shape becomes `.failed` with a reason.
public enum HTTPResultDecoder {
    /// Interprets one exchange: `path` as sent (with or without `/api`, query included),
    /// `status` the HTTP status, and both bodies as JSON (a non-JSON body as a string).
    public static func decode(
        method: String, path: String, status: Int, request: JSONValue?, response: JSONValue?
    ) -> HTTPResult {
        let method = method.uppercased()
        let route = normalise(path)
        let ok = (200..<300).contains(status)

        switch (method, route.path) {
        case ("POST", "/prompt"):
            return ok ? accepted(request: request, response: response, status: status)
                : rejected(request: request, response: response, status: status)
        case _ where !ok:
            return .failed(method: method, path: path, status: status, message: errorMessage(response) ?? "HTTP \(status)")
        case ("GET", "/queue"):
            guard let snapshot = queueSnapshot(response) else { return malformed(method, path, status, "queue") }
            return .queueSnapshot(snapshot)
        case ("POST", "/queue"):
            if let ids = request?["delete"]?.arrayValue?.compactMap(\.idValue), !ids.isEmpty {
                return .queueDeleted(ids)
            }
            if request?["clear"]?.boolValue == true { return .queueCleared }
            return .other(method: method, path: path, status: status)
        case ("POST", "/interrupt"):
            return .interruptAcknowledged(promptID: request?["prompt_id"]?.idValue)
        case ("GET", "/prompt"):
            guard let n = response?["exec_info"]?["queue_remaining"]?.intValue else {
                return malformed(method, path, status, "queue length")
            }
            return .queueRemaining(n)
        case ("GET", "/features"):
            guard case .object = response else { return malformed(method, path, status, "feature flags") }
            return .features(response!)
        case ("GET", "/system_stats"):
            guard let system = response?["system"] else { return malformed(method, path, status, "system stats") }
            return .systemStats(
                ServerInfo(
                    comfyuiVersion: system["comfyui_version"]?.stringValue,
                    pythonVersion: system["python_version"]?.stringValue,
                    pytorchVersion: system["pytorch_version"]?.stringValue,
                    os: system["os"]?.stringValue,
                    devices: response?["devices"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []))
        case ("GET", let p) where p == "/history" || p.hasPrefix("/history/"):
            let requested = p.hasPrefix("/history/") ? String(p.dropFirst("/history/".count)) : nil
            guard let fields = response?.objectValue else { return malformed(method, path, status, "history") }
            return .history(requested: requested, entries: fields.compactMap { historyEntry(id: $0.key, $0.value) })
        default:
            return .other(method: method, path: path, status: status)
        }
    }

    /// `/api/x?y` → `/x`; every route exists with and without the `/api` prefix.
    static func normalise(_ path: String) -> (path: String, query: String?) {
        // An ASCII path (every path a client sends) is cut on its bytes: the same cuts,
        // since no ASCII character but CR LF is more than one byte long, without the
        // grapheme breaking of `Substring` (a replay normalises every HTTP line's path
        // twice: a sixth of its HTTP lines' time).
        var path = path
        if let cut = path.withUTF8({ normaliseASCII($0) }) { return cut }
        return normaliseCharacters(path)
    }

    /// `normalise` on the path's characters: any path, the reference for the byte cut.
    static func normaliseCharacters(_ path: String) -> (path: String, query: String?) {
        var p = Substring(path)
        var query: String?
        if let q = p.firstIndex(of: "?") {
            query = String(p[p.index(after: q)...])
            p = p[..<q]
        }
        if p.hasPrefix("/api/") { p = p.dropFirst(4) }
        return (String(p), query)
    }

    /// `normalise` of an ASCII path; nil when it is not ASCII.
    private static func normaliseASCII(_ utf8: UnsafeBufferPointer<UInt8>) -> (path: String, query: String?)? {
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var end = utf8.count
        var query: String?
        if let q = utf8.firstIndex(of: UInt8(ascii: "?")) {
            query = String(decoding: UnsafeBufferPointer(rebasing: utf8[(q + 1)...]), as: UTF8.self)
            end = q
        }
        let start = UnsafeBufferPointer(rebasing: utf8[..<end]).starts(with: "/api/".utf8) ? 4 : 0
        return (String(decoding: UnsafeBufferPointer(rebasing: utf8[start..<end]), as: UTF8.self), query)
    }

    static func malformed(_ method: String, _ path: String, _ status: Int, _ what: String) -> HTTPResult {
        .failed(method: method, path: path, status: status, message: "the server's answer is not a \(what) (not a ComfyUI server?)")
    }

    static func errorMessage(_ response: JSONValue?) -> String? {
        if let e = response?["error"] {
            if let s = e.stringValue { return s }
            if let m = e["message"]?.stringValue { return m }
        }
        return response?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    // MARK: POST /prompt

    static func accepted(request: JSONValue?, response: JSONValue?, status: Int) -> HTTPResult {
        guard let id = response?["prompt_id"]?.idValue else {
            return .failed(method: "POST", path: "/prompt", status: status, message: "200 without a prompt_id (not a ComfyUI server?)")
        }
        return .promptAccepted(
            PromptAccepted(
                promptID: id, number: response?["number"]?.doubleValue,
                nodeErrors: nodeErrors(response?["node_errors"]), graph: graph(request)))
    }

    static func rejected(request: JSONValue?, response: JSONValue?, status: Int) -> HTTPResult {
        let error = response?["error"]
        let type = error?["type"]?.stringValue ?? (error?.stringValue != nil ? "error" : "http_\(status)")
        let message = error?["message"]?.stringValue ?? error?.stringValue ?? response?.stringValue ?? "HTTP \(status)"
        return .promptRejected(
            PromptRejected(
                promptID: request?["prompt_id"]?.idValue, status: status, type: type, message: message,
                details: error?["details"]?.stringValue ?? "", extraInfo: error?["extra_info"] ?? .null,
                nodeErrors: nodeErrors(response?["node_errors"])))
    }

    /// What a `POST /prompt` body says of its graph (nodes and class types, client id); nil
    /// when it has no `prompt` object.
    public static func graph(_ request: JSONValue?) -> SubmittedGraph? {
        guard let nodes = request?["prompt"]?.objectValue else { return nil }
        return SubmittedGraph(
            nodes: nodes.map { ($0.key, $0.value["class_type"]?.stringValue ?? "?") },
            clientID: request?["client_id"]?.stringValue)
    }

    /// The ``NodeError``s of a `node_errors` object, one per node, in the server's order (none
    /// for nil).
    public static func nodeErrors(_ value: JSONValue?) -> [NodeError] {
        (value?.objectValue ?? []).map { field in
            NodeError(
                nodeID: field.key,
                classType: field.value["class_type"]?.stringValue,
                errors: (field.value["errors"]?.arrayValue ?? []).map { e in
                    NodeError.Problem(
                        type: e["type"]?.stringValue ?? "?", message: e["message"]?.stringValue ?? "",
                        details: e["details"]?.stringValue ?? "",
                        inputName: e["extra_info"]?["input_name"]?.stringValue)
                },
                dependentOutputs: field.value["dependent_outputs"]?.arrayValue?.compactMap(\.idValue) ?? [])
        }
    }

    // MARK: GET /queue and /history

    static func queueItem(_ v: JSONValue) -> QueueItem? {
        guard let a = v.arrayValue, a.count >= 2, let id = a[1].idValue else { return nil }
        return QueueItem(
            number: a[0].doubleValue, promptID: id,
            clientID: a.count > 3 ? a[3]["client_id"]?.stringValue : nil,
            nodeCount: a.count > 2 ? a[2].objectValue?.count : nil,
            outputsToExecute: a.count > 4 ? a[4].arrayValue?.compactMap(\.idValue) ?? [] : [])
    }

    static func queueSnapshot(_ response: JSONValue?) -> QueueSnapshot? {
        guard let running = response?["queue_running"]?.arrayValue, let pending = response?["queue_pending"]?.arrayValue
        else { return nil }
        return QueueSnapshot(running: running.compactMap(queueItem), pending: pending.compactMap(queueItem))
    }

    /// One history entry; an entry missing fields still yields what it has: without a
    /// usable status its outcome is nil (not guessed), without `outputs` they are nil (not
    /// "none"). Only a value that is not an object is no entry.
    public static func historyEntry(id: String, _ v: JSONValue) -> HistoryEntry? {
        guard case .object = v else { return nil }
        let item = v["prompt"].flatMap(queueItem)
        let status = v["status"]
        let messages = status?["messages"]?.arrayValue ?? []
        var outcome: HistoryEntry.Outcome?
        var failure: ServerMessage.ExecutionFailure?
        var cached: [String] = []
        var started: Double?
        var ended: Double?
        for message in messages {
            guard let pair = message.arrayValue, pair.count == 2, let type = pair[0].stringValue else { continue }
            let data = pair[1]
            switch type {
            case "execution_start": started = data["timestamp"]?.doubleValue
            case "execution_cached": cached = data["nodes"]?.arrayValue?.compactMap(\.idValue) ?? []
            case "execution_success":
                outcome = .success
                ended = data["timestamp"]?.doubleValue
            case "execution_error", "execution_interrupted":
                outcome = type == "execution_error" ? .error : .interrupted
                ended = data["timestamp"]?.doubleValue
                failure = ServerMessage.ExecutionFailure(
                    promptID: id, nodeID: data["node_id"]?.idValue, nodeType: data["node_type"]?.stringValue,
                    executed: data["executed"]?.arrayValue?.compactMap(\.idValue) ?? [],
                    exceptionType: data["exception_type"]?.stringValue,
                    exceptionMessage: data["exception_message"]?.stringValue,
                    traceback: data["traceback"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    currentInputs: data["current_inputs"] ?? .null, timestamp: ended)
            default: continue
            }
        }
        if outcome == nil {
            switch status?["status_str"]?.stringValue {
            case "success": outcome = .success
            case "error": outcome = .error
            default: break
            }
        }
        return HistoryEntry(
            promptID: id, number: item?.number, clientID: item?.clientID, nodeCount: item?.nodeCount,
            outcome: outcome, completed: status?["completed"]?.boolValue ?? (outcome == .success),
            outputs: v["outputs"]?.objectValue, failure: failure, cachedNodes: cached,
            startedMs: started, endedMs: ended)
    }
}
