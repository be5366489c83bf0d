import DequeModule

/// A bounded ring of recent events, server `logs` lines among them. Old entries fall off
/// the front; `total` keeps counting so a reader can tell what is new.
public struct LogState: Sendable, Equatable {
    public enum Level: String, Sendable, Equatable {
        case info, warning, error
    }

    public struct Entry: Sendable, Equatable {
        /// 1 for the first entry ever logged, counting on past the capacity.
        public var seq: Int
        public var at: Timestamp
        public var level: Level
        /// What it is about: the message type, `connection`, `http`, `server_log`, `unknown`…
        public var kind: LogKind
        public var message: String
        /// The raw payload of an unknown message, kept (up to `payloadLimit` bytes).
        public var payload: String?

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

    public static let defaultCapacity = 500
    /// Unknown payloads larger than this are cut, with a note, so the log stays bounded.
    public static let payloadLimit = 16 * 1024

    public private(set) var entries: Deque<Entry> = []
    public let capacity: Int
    /// Entries ever appended (the `seq` of the newest).
    public private(set) var total = 0

    public init(capacity: Int = LogState.defaultCapacity) {
        self.capacity = Swift.max(1, capacity)
    }

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
        return Array(entries.suffix(min(entries.count, last.seq - seq)))
    }

    public var json: JSONValue {
        .object([
            JSONField("capacity", .number(Double(capacity))),
            JSONField("total", .number(Double(total))),
            JSONField("entries", .array(entries.map(\.json))),
        ])
    }
}
