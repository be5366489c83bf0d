/// A bounded ring of recent events, server `logs` lines among them. Old entries fall off
/// the front; `total` keeps counting so a reader can tell what is new.
public struct LogState: Sendable, Equatable {
    /// How much an entry matters: `info`, `warning` or `error`.
    public enum Level: String, Sendable, Equatable {
        /// `info` (routine), `warning` (unexpected, and dealt with: a dropped socket, a request
        /// that makes no sense) or `error` (a failure: a prompt failed or was rejected, the
        /// connection gave up, input not understood).
        case info, warning, error
    }

    /// One logged event: the JSON's `{seq, at, level, kind, message, payload}`.
    public struct Entry: Sendable, Equatable {
        /// 1 for the first entry ever logged, counting on past the capacity.
        public var seq: Int
        /// When it happened.
        public var at: Timestamp
        /// How much it matters.
        public var level: Level
        /// What it is about: the message type, `connection`, `http`, `server_log`, `unknown`…
        public var kind: LogKind
        /// What happened, in words.
        public var message: String
        /// The raw payload of an unknown message, kept (up to `payloadLimit` bytes).
        public var payload: String?

        /// The entry as the JSON writes it; `payload` only when there is one.
        public var json: JSONValue {
            var fields = [
                JSONField("seq", .number(Double(seq))),
                JSONField("at", at.json),
                JSONField("level", .string(level.rawValue)),
                JSONField("kind", .string(kind.rawValue)),
                JSONField("message", .string(message)),
            ]
            if let payload { fields.append(JSONField("payload", .string(payload))) }
            return .object(fields)
        }
    }

    /// Entries kept when nothing else is asked (`--log-capacity` changes it).
    public static let defaultCapacity = 500
    /// Unknown payloads larger than this are cut, with a note, so the log stays bounded.
    public static let payloadLimit = 16 * 1024

    /// The entries still kept, oldest first.
    /// (In chunks that later states share: see `LogEntries`.)
    public private(set) var entries = LogEntries()
    /// How many entries are kept (at least 1); older ones fall off the front.
    public let capacity: Int
    /// Entries ever appended (the `seq` of the newest).
    public private(set) var total = 0

    /// An empty log that keeps `capacity` entries.
    public init(capacity: Int = LogState.defaultCapacity) {
        self.capacity = Swift.max(1, capacity)
    }

    /// Logs an event at `at`; `payload` (the raw input of an unknown message or protocol
    /// error) is cut at ``payloadLimit`` bytes, with a note.
    public mutating func append(
        _ level: Level, _ kind: LogKind, _ message: String, at: Timestamp, payload: String? = nil
    ) {
        total += 1
        var kept = payload
        if let p = payload, p.utf8.count > Self.payloadLimit {
            kept = String(decoding: p.utf8.prefix(Self.payloadLimit), as: UTF8.self) + "… (\(p.utf8.count) bytes, cut)"
        }
        entries.append(Entry(seq: total, at: at, level: level, kind: kind, message: message, payload: kept))
        if entries.count > capacity { entries.removeFirst() }
    }

    /// Entries appended after `seq` (that are still kept), oldest first.
    public func entries(after seq: Int) -> [Entry] {
        guard let last = entries.last, last.seq > seq else { return [] }
        return Array(entries.suffix(Swift.min(entries.count, last.seq - seq)))
    }

    /// The `log` object of the state's JSON: `{capacity, total, entries}`.
    public var json: JSONValue {
        .object([
            JSONField("capacity", .number(Double(capacity))),
            JSONField("total", .number(Double(total))),
            JSONField("entries", .array(entries.map(\.json))),
        ])
    }
}
