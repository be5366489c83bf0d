/// One accepted prompt, as `GET /queue` and history show it:
/// `[number, prompt_id, prompt, extra_data, outputs_to_execute]`.
struct QueueItem: Sendable {
    /// An int from the server's counter (negated for `front`), or the float the client
    /// sent as `number`.
    let number: PyJSON
    let promptID: String
    /// The graph after validation converted its literal inputs.
    let prompt: PyJSON
    /// `{client_id?, ..., create_time}`; secrets the client sent are not kept.
    let extraData: PyJSON
    /// The output nodes that passed validation, in graph order.
    let outputs: [String]

    /// The owner: events of this prompt go to the socket registered under this id.
    /// A `client_id` that is not a string still makes the prompt owned (the server sends
    /// its events to that id) but can match no socket, since socket ids are strings.
    var clientID: String? {
        switch extraData["client_id"] {
        case nil, .null?: nil
        case .string(let id)?: id
        case let other?: "\u{0}" + other.serialized
        }
    }

    var wire: PyJSON { .array([number, .string(promptID), prompt, extraData, .strings(outputs)]) }

    /// Heap order of the server: `(number, prompt_id)`.
    func runsBefore(_ other: QueueItem) -> Bool {
        let (a, b) = (number.number ?? 0, other.number.number ?? 0)
        return a != b ? a < b : promptID < other.promptID
    }
}

/// The server's priority queue and the item the worker holds.
struct PromptQueue {
    /// Kept sorted, which is also a valid heap order for `GET /queue`.
    private(set) var pending: [QueueItem] = []
    private(set) var running: QueueItem?
    /// `PromptServer.number`: goes up with every `POST /prompt` that has no `number`,
    /// accepted or not.
    private var counter = 0

    /// Pending plus running, for all clients together: `queue_remaining`.
    var remaining: Int { pending.count + (running == nil ? 0 : 1) }

    mutating func nextNumber(front: Bool) -> PyJSON {
        defer { counter += 1 }
        return .int(front ? -counter : counter)
    }

    mutating func put(_ item: QueueItem) {
        let index = pending.firstIndex(where: { item.runsBefore($0) }) ?? pending.endIndex
        pending.insert(item, at: index)
    }

    /// Moves the first pending item to running.
    mutating func take() -> QueueItem? {
        guard running == nil, !pending.isEmpty else { return nil }
        running = pending.removeFirst()
        return running
    }

    mutating func finishRunning() { running = nil }

    /// Removes the first pending item with this id; the running one is left alone.
    mutating func delete(_ id: String) -> Bool {
        guard let index = pending.firstIndex(where: { $0.promptID == id }) else { return false }
        pending.remove(at: index)
        return true
    }

    mutating func clearPending() { pending.removeAll() }
}
