import ComfyCore

/// The keys a `DiffLine`'s dotted path names, so the page can apply it to its copy of the
/// state without parsing the path: `queue.prompts.<id>.status` is
/// `["queue", "prompts", "<id>", "status"]`, `queue.running[0]` is `["queue", "running", 0]`.
///
/// A path alone is ambiguous — a server called `127.0.0.1:8188`, or a node `12.0.1` (an
/// expanded node), holds dots — so each line is resolved against the states it came from:
/// names of servers, prompts and nodes are looked up in the tables, and what lies inside a
/// record or a slice is matched against that small piece's JSON (the new one for an added
/// or changed value, the old one for a removed value). Nothing here walks the whole state;
/// one resolver serves the lines of one diff (it keeps each server's node table it looked at).
struct DiffKeys {
    let old: AppState
    let new: AppState
    /// Node tables as dictionaries, by side and server (`NodesState.byID` builds one).
    private var tables: [String: [String: NodesState.Node]] = [:]
    /// Prompt records' JSON, by side and id: a record that changed has several lines.
    private var records: [String: JSONValue] = [:]

    init(old: AppState, new: AppState) {
        self.old = old
        self.new = new
    }
    /// A key: an object member or an array index.
    enum Key: Equatable, Sendable {
        case member(String)
        case index(Int)

        var json: JSONValue {
            switch self {
            case .member(let name): .string(name)
            case .index(let i): .number(Double(i))
            }
        }
    }

    /// The keys of `line`, or nil when the path cannot be placed (the page then gets a
    /// fresh snapshot instead of the diff). The log's lines (`log[seq]`) are `["log"]`: the
    /// page appends the entry.
    mutating func keys(_ line: DiffLine) -> [Key]? {
        let path = Substring(line.path)
        let slice = line.slice
        var rest = path.dropFirst(slice.count)
        let tree = line.kind == .removed ? old : new
        switch slice {
        case "log":
            return line.kind == .added ? [.member("log")] : nil
        case "connection", "nodes", "progress":
            guard let a = old.servers.first, let b = new.servers.first else { return nil }
            return server(slice, rest: rest, old: a, new: b, kind: line.kind).map { [.member(String(slice))] + $0 }
        case "queue":
            guard rest.hasPrefix(".") else { return nil }
            rest = rest.dropFirst()
            if rest.hasPrefix("prompts.") {
                rest = rest.dropFirst("prompts.".count)
                for id in Self.candidates(rest, where: { old.queue.prompts[$0] != nil || new.queue.prompts[$0] != nil }) {
                    let inner = rest.dropFirst(id.count)
                    if inner.isEmpty { return [.member("queue"), .member("prompts"), .member(id)] }
                    guard let json = recordJSON(id, removed: line.kind == .removed), let keys = Self.resolve(inner, in: json) else { continue }
                    return [.member("queue"), .member("prompts"), .member(id)] + keys
                }
                return nil
            }
            let field = rest.prefix { $0 != "." && $0 != "[" }
            let value: JSONValue
            switch field {
            case "remaining": value = tree.queue.remaining.json
            case "running": value = tree.queue.runningIDs.json
            case "pending": value = tree.queue.pendingIDs.json
            case "waiting": value = tree.queue.waitingIDs.json
            case "rejected": value = .array(tree.queue.rejected.map(\.json))
            default: return nil
            }
            return Self.resolve(rest.dropFirst(field.count), in: value, allowNew: line.kind == .added).map { [.member("queue"), .member(String(field))] + $0 }
        case "servers":
            guard rest.hasPrefix(".") else { return nil }
            rest = rest.dropFirst()
            let names = Set(old.servers.map(\.name)).union(new.servers.map(\.name))
            for name in Self.candidates(rest, where: names.contains) {
                var inner = rest.dropFirst(name.count)
                let head: [Key] = [.member("servers"), .member(name)]
                if inner.isEmpty { return head }
                guard inner.hasPrefix(".") else { continue }
                inner = inner.dropFirst()
                let part = inner.prefix { $0 != "." && $0 != "[" }
                let a = old.server(named: name) ?? ServerState(name: name)
                let b = new.server(named: name) ?? ServerState(name: name)
                switch part {
                case "connection", "nodes", "progress":
                    if let keys = server(part, rest: inner.dropFirst(part.count), old: a, new: b, kind: line.kind) {
                        return head + [.member(String(part))] + keys
                    }
                case "status", "remaining", "capabilities":
                    let value = (line.kind == .removed ? a : b).json[String(part)] ?? .null
                    if let keys = Self.resolve(inner.dropFirst(part.count), in: value, allowNew: line.kind == .added) {
                        return head + [.member(String(part))] + keys
                    }
                default: continue
                }
            }
            return nil
        default:
            return nil
        }
    }

    /// Inside one server's `connection`, `nodes` or `progress` (`rest` starts after the slice's name).
    mutating func server(_ slice: Substring, rest: Substring, old: ServerState, new: ServerState, kind: DiffLine.Kind) -> [Key]? {
        let state = kind == .removed ? old : new
        switch slice {
        case "connection":
            return Self.resolve(rest, in: state.connection.json, allowNew: kind == .added)
        case "progress":
            return Self.resolve(rest, in: state.progress.json, allowNew: kind == .added)
        case "nodes":
            if rest.hasPrefix(".by_id.") {
                let inner = rest.dropFirst(".by_id.".count)
                let before = table(old, side: "old")
                let after = table(new, side: "new")
                let here = kind == .removed ? before : after
                for id in Self.candidates(inner, where: { before[$0] != nil || after[$0] != nil }) {
                    let rest = inner.dropFirst(id.count)
                    let head: [Key] = [.member("by_id"), .member(id)]
                    if rest.isEmpty { return head }
                    guard let entry = here[id] ?? before[id] ?? after[id], let keys = Self.resolve(rest, in: entry.json) else { continue }
                    return head + keys
                }
                return nil
            }
            // The other fields: names without dots, then perhaps an index.
            guard rest.hasPrefix(".") else { return nil }
            let field = rest.dropFirst().prefix { $0 != "." && $0 != "[" }
            let tail = rest.dropFirst(1 + field.count)
            guard ["prompt_id", "executing", "executing_display", "cached", "executed"].contains(field) else { return nil }
            if tail.isEmpty { return [.member(String(field))] }
            guard let index = Self.index(tail) else { return nil }
            return [.member(String(field)), .index(index)]
        default:
            return nil
        }
    }

    /// A record's JSON as the line's side has it (else the other's), made once per resolver.
    private mutating func recordJSON(_ id: String, removed: Bool) -> JSONValue? {
        let key = (removed ? "old:" : "new:") + id
        if let json = records[key] { return json }
        let record = (removed ? old : new).queue.prompts[id] ?? old.queue.prompts[id] ?? new.queue.prompts[id]
        let json = record?.json
        records[key] = json
        return json
    }

    /// A server's node table as a dictionary, made once per resolver.
    private mutating func table(_ server: ServerState, side: String) -> [String: NodesState.Node] {
        let key = side + ":" + server.name
        if let table = tables[key] { return table }
        let table = server.nodes.byID
        tables[key] = table
        return table
    }

    /// Names that `rest` starts with (followed by its end, a `.` or a `[`) for which
    /// `known` holds; longest first (so `a.b` is tried before `a`).
    static func candidates(_ rest: Substring, where known: (String) -> Bool) -> [String] {
        // A name ends at the end, or at a `.`/`[`: try each such cut, longest first.
        var cuts: [Substring] = [rest]
        var i = rest.endIndex
        while i > rest.startIndex {
            i = rest.index(before: i)
            if rest[i] == "." || rest[i] == "[" { cuts.append(rest[..<i]) }
        }
        return cuts.map(String.init).filter(known)
    }

    /// `[12]` alone: 12.
    static func index(_ text: Substring) -> Int? {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return nil }
        return Int(text.dropFirst().dropLast())
    }

    /// The keys `rest` (`.a.b[2].c`, or empty) names inside `value`. Every key must exist,
    /// except the last when `allowNew` (a member or an element being added).
    static func resolve(_ rest: Substring, in value: JSONValue, allowNew: Bool = false) -> [Key]? {
        if rest.isEmpty { return [] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) else { return nil }
            let after = rest[rest.index(after: close)...]
            guard case .array(let items) = value else { return nil }
            if i < items.count, let keys = resolve(after, in: items[i], allowNew: allowNew) { return [.index(i)] + keys }
            if allowNew, after.isEmpty, i >= 0 { return [.index(i)] }
            return nil
        }
        guard rest.hasPrefix("."), case .object(let fields) = value else { return nil }
        let inner = rest.dropFirst()
        let names = Set(fields.map(\.key))
        for name in candidates(inner, where: names.contains) {
            let child = fields.first { $0.key == name }!.value
            if let keys = resolve(inner.dropFirst(name.count), in: child, allowNew: allowNew) { return [.member(name)] + keys }
        }
        // A member being added: the rest is its name.
        if allowNew, !inner.isEmpty { return [.member(String(inner))] }
        return nil
    }
}
