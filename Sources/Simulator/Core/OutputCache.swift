/// ComfyUI's default ("classic") output cache: a node whose signature — class, literal
/// inputs, and the signatures of the nodes it links to — was computed before is not run
/// again. Entries are kept only while the current prompt uses them (`clean_unused` at
/// the start of every prompt), so a cache hit needs the previous prompt, or one that
/// shared the node, to have computed it.
struct OutputCache {
    /// What a cached node hands back: its UI output, if it had one.
    struct Entry {
        let ui: PyJSON?
    }

    private var entries: [Int: Entry] = [:]
    /// Interned signatures: a node's key text names its inputs' keys by number, so keys
    /// stay short however deep the graph.
    private var interned: [String: Int] = [:]

    /// Computes every node's key for `graph` and drops the entries it does not use.
    mutating func begin(_ graph: PromptGraph) -> [String: Int] {
        var keys: [String: Int] = [:]
        for node in graph.nodes { _ = key(of: node.id, in: graph, memo: &keys, depth: 0) }
        let used = Set(keys.values)
        entries = entries.filter { used.contains($0.key) }
        return keys
    }

    func entry(_ key: Int) -> Entry? { entries[key] }

    mutating func store(_ key: Int, ui: PyJSON?) { entries[key] = Entry(ui: ui) }

    mutating func clear() { entries.removeAll() }

    private mutating func key(of id: String, in graph: PromptGraph, memo: inout [String: Int], depth: Int) -> Int {
        if let known = memo[id] { return known }
        guard let node = graph.node(id), depth < 10_000 else { return -1 }
        var text = node.classType
        for input in node.inputs.sorted(by: { $0.key < $1.key }) {
            text += "|" + input.key + "="
            if let link = node.link(input.key) {
                text += "@\(key(of: link.source, in: graph, memo: &memo, depth: depth + 1)):\(link.slot)"
            } else {
                text += input.value.serialized
            }
        }
        let value = interned[text] ?? interned.count
        interned[text] = value
        memo[id] = value
        return value
    }
}
