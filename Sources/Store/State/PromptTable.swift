import HashTreeCollections

/// The prompt records of `QueueState.prompts`, keyed by prompt id: a dictionary that
/// shares its storage between versions.
///
/// Why not a plain `Dictionary`: a front end keeps the state before each change (to diff
/// against, or in a subscriber's backlog), so the reducer's first write to a plain
/// dictionary copied every record — 10 000 waiting jobs made each action that touched a
/// prompt copy 10 000 records, and a follower that fell behind kept a full copy per change
/// (gigabytes, `comfysh-bench fleet` follow). A hash trie (`TreeDictionary`) copies only
/// the path to the entry written (a few nodes of up to 32 entries); unchanged parts stay
/// shared, and two versions compare equal subtree by subtree, shared ones in O(1).
public struct PromptTable: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One entry: a prompt id and its record.
    public typealias Element = (key: String, value: PromptRecord)
    typealias Storage = TreeDictionary<String, RecordBox>

    /// A record in the trie, boxed. Why: a write copies the path of trie nodes to the
    /// entry, and a node holds up to 32 entries — each a whole record (two dozen strings,
    /// arrays and JSON values to retain, and later to release with the state before),
    /// most of a completion's dispatch in a fleet with 10 000 jobs waiting, measured. A
    /// box copies as one reference. Immutable: a write puts a new box.
    final class RecordBox: Sendable, Equatable {
        let record: PromptRecord
        init(_ record: PromptRecord) { self.record = record }
        static func == (a: RecordBox, b: RecordBox) -> Bool { a === b || a.record == b.record }
    }

    var storage: Storage

    /// No records.
    public init() { storage = [:] }

    /// The records of `dictionary`.
    public init(_ dictionary: [String: PromptRecord]) { storage = Storage(uniqueKeysWithValues: dictionary.lazy.map { ($0.key, RecordBox($0.value)) }) }

    /// The records given as a literal (`[id: record, …]`).
    public init(dictionaryLiteral elements: (String, PromptRecord)...) {
        storage = Storage(uniqueKeysWithValues: elements.lazy.map { ($0.0, RecordBox($0.1)) })
    }

    /// The record for `id`; written only by this module (the reducer, through
    /// `QueueState.setRecord`, and `@testable` tests).
    public internal(set) subscript(id: String) -> PromptRecord? {
        get { storage[id]?.record }
        set { storage[id] = newValue.map(RecordBox.init) }
    }

    /// The box holding the record for `id` (one reference to copy; `===` for the same
    /// record in two versions of the table).
    func box(_ id: String) -> RecordBox? { storage[id] }

    /// How many records.
    public var count: Int { storage.count }

    /// Whether there are none.
    public var isEmpty: Bool { storage.isEmpty }

    /// The prompt ids, in no particular order.
    public var keys: Keys { Keys(storage: storage) }

    /// The records, in no particular order.
    public var values: Values { Values(storage: storage) }

    /// Where the record for `id` is (for `values[index]`), if there is one.
    public func index(forKey id: String) -> Index? { storage.index(forKey: id).map(Index.init) }

    /// The entries, in no particular order.
    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }

    // The types below wrap the storage's own, so that a file reading the table needs no
    // import of the storage's module (members are visible only from imported modules).

    /// Iterates the entries.
    public struct Iterator: IteratorProtocol {
        var base: Storage.Iterator
        /// The next entry; nil after the last.
        public mutating func next() -> Element? { base.next().map { ($0.key, $0.value.record) } }
    }

    /// A position in the table.
    public struct Index: Comparable {
        let base: Storage.Index
        public static func < (a: Index, b: Index) -> Bool { a.base < b.base }
    }

    /// The records, as a collection.
    public struct Values: Collection {
        let storage: Storage
        public var startIndex: Index { Index(base: storage.startIndex) }
        public var endIndex: Index { Index(base: storage.endIndex) }
        public var count: Int { storage.count }
        public func index(after i: Index) -> Index { Index(base: storage.index(after: i.base)) }
        public subscript(position: Index) -> PromptRecord { storage[position.base].value.record }
    }

    /// The prompt ids, as a collection.
    public struct Keys: Collection {
        let storage: Storage
        public var startIndex: Index { Index(base: storage.startIndex) }
        public var endIndex: Index { Index(base: storage.endIndex) }
        public var count: Int { storage.count }
        public func index(after i: Index) -> Index { Index(base: storage.index(after: i.base)) }
        public subscript(position: Index) -> String { storage[position.base].key }
    }

    /// The records as a plain dictionary (a copy of every entry).
    public var dictionary: [String: PromptRecord] { Dictionary(uniqueKeysWithValues: storage.lazy.map { ($0.key, $0.value.record) }) }
}
