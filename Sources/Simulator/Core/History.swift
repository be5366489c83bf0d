/// The in-memory history: prompt id → entry, oldest first, at most 10 000 entries.
struct History {
    static let capacity = 10_000
    private var ids: [String] = []
    private var entries: [String: PyJSON] = [:]

    var count: Int { ids.count }

    func entry(_ id: String) -> PyJSON? { entries[id] }

    /// All ids, oldest first.
    var order: [String] { ids }

    mutating func add(_ id: String, _ entry: PyJSON) {
        if entries[id] == nil { ids.append(id) }
        entries[id] = entry
        if ids.count > Self.capacity {
            let dropped = ids.removeFirst()
            entries[dropped] = nil
        }
    }

    /// `get_history(max_items, offset)` of the server: with only `max_items`, the last
    /// N; with an offset, N from there; with neither, everything.
    func page(maxItems: Int?, offset: Int?) -> PyJSON {
        guard let maxItems else { return .object(ids.map { PyField($0, entries[$0]!) }) }
        var start = offset ?? -1
        if start < 0 { start = ids.count - maxItems }
        var out: [PyField] = []
        for (i, id) in ids.enumerated() where i >= start {
            out.append(PyField(id, entries[id]!))
            if out.count >= maxItems { break }
        }
        return .object(out)
    }

    mutating func delete(_ id: String) {
        guard entries.removeValue(forKey: id) != nil else { return }
        ids.removeAll { $0 == id }
    }

    mutating func clear() {
        ids.removeAll()
        entries.removeAll()
    }
}
