/// One change between two states: a field path and its old and new JSON values.
public struct DiffLine: Sendable, Equatable {
    /// What happened to the field.
    public enum Kind: Sendable, Equatable {
        /// `added` (`+`, only `new`), `removed` (`-`, only `old`) or `changed` (`~`, both).
        case added, removed, changed
    }

    /// Added, removed or changed.
    public var kind: Kind
    /// Dotted path into the state's JSON form: `queue.prompts.<id>.status`, `log[12]`.
    public var path: String
    /// The value before; nil for an added field.
    public var old: JSONValue? {
        get { oldStored.value }
        set { oldStored = .built(newValue) }
    }
    /// The value after; nil for a removed field.
    public var new: JSONValue? {
        get { newStored.value }
        set { newStored = .built(newValue) }
    }

    // Stored apart from `old` and `new` so a large value (a queue of thousands) is built
    // only if someone reads it: see `LineValue`.
    var oldStored: LineValue
    var newStored: LineValue

    /// A change of `kind` at `path`.
    public init(_ kind: Kind, _ path: String, old: JSONValue? = nil, new: JSONValue? = nil) {
        self.init(kind, path, deferredOld: .built(old), deferredNew: .built(new))
    }

    /// A change whose values may be built when read.
    init(_ kind: Kind, _ path: String, deferredOld: LineValue, deferredNew: LineValue) {
        self.kind = kind
        self.path = path
        oldStored = deferredOld
        newStored = deferredNew
    }

    /// Same kind, path and values (deferred values are built to be compared).
    public static func == (a: DiffLine, b: DiffLine) -> Bool {
        a.kind == b.kind && a.path == b.path && a.old == b.old && a.new == b.new
    }

    /// The slice this line belongs to (`connection`, `queue`, …).
    public var slice: Substring { path.prefix(while: { $0 != "." && $0 != "[" }) }

    /// `~ path: old → new`, `+ path: new`, `- path: old`; values as compact JSON, cut
    /// to `width` characters so a huge output does not flood a terminal.
    public func rendered(width: Int = 120) -> String {
        switch kind {
        case .added: "+ \(path): \(Self.short(new, width))"
        case .removed: "- \(path): \(Self.short(old, width))"
        case .changed: "~ \(path): \(Self.short(old, width / 2)) → \(Self.short(new, width))"
        }
    }

    /// `rendered`, except that what a person looks for first is said in words: a new log
    /// entry reads as its message (`+ log[12]: warning connection: …`), a new prompt record
    /// as its status, owner and number (`+ queue.prompts.<id>: running · ours · #0`);
    /// `state` has everything.
    public func readable(width: Int = 120) -> String {
        guard kind == .added, let value = new else { return rendered(width: width) }
        if path.hasPrefix("log["), let level = value["level"]?.stringValue {
            let tag = level == "info" ? "" : level + " "
            return "+ \(path): \(tag)\(value["kind"]?.stringValue ?? ""): \(value["message"]?.stringValue ?? "")"
        }
        if path.hasPrefix("queue.prompts."), let status = value["status"]?.stringValue {
            let number = value["number"]?.doubleValue.map { " · #" + JSONWriter.number($0) } ?? ""
            return "+ \(path): \(status) · \(value["owner"]?.stringValue ?? "?")\(number)"
        }
        return rendered(width: width)
    }

    static func short(_ value: JSONValue?, _ width: Int) -> String {
        let text = JSONWriter.string(value ?? .null, rounded: true)
        return text.count > width ? String(text.prefix(width)) + "…" : text
    }
}
