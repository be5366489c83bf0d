/// What the HTTP routes ask of the server state.
extension SimulatorCore {
    /// A status and JSON body for the route to write; without a body the answer is
    /// empty, or aiohttp's plain-text page for a 500.
    struct Reply: Sendable {
        var status: Int
        var body: PyJSON?
        static func ok(_ body: PyJSON?) -> Reply { Reply(status: 200, body: body) }
    }

    /// Keys of `extra_data` the server keeps out of the queue and history.
    private static let sensitiveKeys: Set<String> = ["auth_token_comfy_org", "api_key_comfy_org"]

    /// `POST /prompt`.
    func submit(_ body: PyJSON) -> Reply {
        // The counter moves for every request without `number`, accepted or not.
        let number: PyJSON
        if let explicit = body["number"] {
            // `float(json_data['number'])`: anything else makes the handler raise.
            guard let value = try? PythonConversions.float(explicit) else { return Reply(status: 500, body: nil) }
            number = value
        } else {
            number = queue.nextNumber(front: body["front"]?.isTruthy ?? false)
        }
        guard let prompt = body["prompt"] else {
            let error = PromptValidator.error("no_prompt", "No prompt provided", details: "No prompt provided")
            return Reply(status: 400, body: .object(["error": error, "node_errors": .emptyObject]))
        }
        let promptID: String
        if let given = body["prompt_id"], given != .null {
            promptID = PythonConversions.str(given).string ?? ""
            guard Identifiers.isCanonicalUUID(promptID) else {
                let error = PromptValidator.error(
                    "invalid_prompt_id", "prompt_id must be a valid UUID",
                    details: "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the server generate one")
                return Reply(status: 400, body: .object(["error": error, "node_errors": .emptyObject]))
            }
        } else {
            promptID = Identifiers.newPromptID()
        }
        guard case .object(let nodes) = prompt, nodes.allSatisfy({ $0.value.fields != nil }) else {
            return Reply(status: 500, body: nil)  // the server's handler throws on a graph that is not a dict of dicts
        }
        let targets = body["partial_execution_targets"]?.array?.compactMap(\.string)
        var validator = PromptValidator(prompt: nodes, catalog: configuration.catalog)
        switch validator.validate(targets: targets) {
        case .rejected(let error, let nodeErrors):
            return Reply(status: 400, body: .object(["error": error, "node_errors": nodeErrors]))
        case .accepted(let outputs, let nodeErrors):
            var extra = (body["extra_data"]?.fields ?? []).filter { !Self.sensitiveKeys.contains($0.key) }
            if let client = body["client_id"] {
                extra.removeAll { $0.key == "client_id" }
                extra.append(PyField("client_id", client))
            }
            extra.append(PyField("create_time", .int(Identifiers.nowMillis())))
            let item = QueueItem(
                number: number, promptID: promptID, prompt: .object(validator.prompt), extraData: .object(extra), outputs: outputs)
            queue.put(item)
            broadcastStatus()
            wakeWorker()
            return .ok(.object(["prompt_id": .string(promptID), "number": number, "node_errors": nodeErrors]))
        }
    }

    /// `GET /queue`.
    var queueSnapshot: PyJSON {
        .object([
            "queue_running": .array(queue.running.map { [$0.wire] } ?? []),
            "queue_pending": .array(queue.pending.map(\.wire)),
        ])
    }

    /// `POST /queue`: `{"clear": true}` and/or `{"delete": [ids]}`, on pending items
    /// only. Like the server, a clear broadcasts `status` even when nothing was
    /// pending, and a delete broadcasts once per item it removed.
    func modifyQueue(_ body: PyJSON) {
        if body["clear"]?.isTruthy == true {
            queue.clearPending()
            broadcastStatus()
        }
        for id in body["delete"]?.array?.compactMap(\.string) ?? [] where queue.delete(id) {
            broadcastStatus()
        }
    }

    /// `POST /interrupt`: with a prompt id only if that prompt runs; without, global.
    func interrupt(promptID: String?) {
        if let promptID, !promptID.isEmpty {
            guard queue.running?.promptID == promptID else { return }
        }
        interruptRequested = true
        releaseHeldWorker()
    }

    func historyPage(maxItems: Int?, offset: Int?) -> PyJSON {
        let page = history.page(maxItems: maxItems, offset: offset)
        let omits = faults.historyOmits
        guard !omits.isEmpty, let fields = page.fields else { return page }
        return .object(fields.map { PyField($0.key, Self.omitting(omits, from: $0.value)) })
    }

    func historyEntry(_ id: String) -> PyJSON {
        history.entry(id).map { .object([PyField(id, Self.omitting(faults.historyOmits, from: $0))]) } ?? .emptyObject
    }

    /// An entry without the keys the history fault names (`status`, or `status.messages`).
    static func omitting(_ keys: [String], from entry: PyJSON) -> PyJSON {
        var entry = entry
        for key in keys {
            let path = key.split(separator: ".", maxSplits: 1).map(String.init)
            if path.count == 2 {
                if var inner = entry[path[0]] {
                    inner[path[1]] = nil
                    entry[path[0]] = inner
                }
            } else {
                entry[key] = nil
            }
        }
        return entry
    }

    /// `POST /history`: `{"clear": true}` and/or `{"delete": [ids]}`.
    func modifyHistory(_ body: PyJSON) {
        if body["clear"]?.isTruthy == true { history.clear() }
        for id in body["delete"]?.array?.compactMap(\.string) ?? [] { history.delete(id) }
    }

    func hasFile(type: String, subfolder: String, filename: String) -> Bool {
        files.contains(type: type, subfolder: subfolder, filename: filename)
    }
}
