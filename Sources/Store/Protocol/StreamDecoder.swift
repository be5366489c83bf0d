#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decodes one socket's text frames as `FrameDecoder` does, remembering the last
/// `progress_state` frame so the next is decoded from the bytes that changed.
///
/// Why: a running graph sends a full snapshot of every node on every tick — ~200 bytes a
/// node, 100 KB for 500 nodes — and consecutive snapshots differ in one or two entries.
/// Reading every entry was most of the cost of a large graph's frame (`comfysh-bench
/// decode`: `progress_state_500`). Here the new frame is compared with the last one byte
/// for byte (word at a time); entries before the first difference and after the last are
/// taken from the last decode, and only the entries between are read. A frame in any
/// other shape than the server writes (key order, spacing) is decoded whole by
/// `FrameDecoder`, so the result is always the same as decoding the frame alone.
///
/// One value per socket (the live client makes a new one on each connect). Pure: no I/O.
public struct StreamDecoder: Sendable {
    /// The last snapshot: its bytes, where each node entry starts (its key's quote) and
    /// ends (after its value), and what it decoded to.
    private var bytes: [UInt8] = []
    private var starts: [Int] = []
    private var ends: [Int] = []
    private var nodes: [ServerMessage.NodeProgress] = []
    /// The arrays before the last ones, emptied and filled again for the next frame: a
    /// snapshot made three arrays and dropped three (malloc and free on every frame).
    /// The nodes array handed out with a frame is the reducer's too until the next one
    /// replaces it, so it is reused one frame later, when it is this decoder's alone.
    private var spareStarts: [Int] = []
    private var spareEnds: [Int] = []
    private var spareNodes: [ServerMessage.NodeProgress] = []
    /// `spareNodes` is `nodes` but for the entries in this range (same count), or nil when
    /// that is not known. Then the next list is made by writing those entries and the
    /// ones read, in place: copying the 500 unchanged entries of a large graph's snapshot
    /// (and destroying the 500 of the frame before last) was a third of its cost.
    private var spareDiff: Range<Int>?
    /// The entries read from the current frame's bytes (scratch, kept for its storage).
    private var readNodes: [ServerMessage.NodeProgress] = []
    private var promptID = ""
    /// The prompt id of the last frame that named one: the next frame's id, when equal, is
    /// handed out as this same string (no allocation; the reducer compares it by pointer).
    private var lastPromptID: String?
    /// Where the node entries begin (after `"nodes": {`).
    private var entriesStart = 0
    /// How many node entries the last frame had read from its bytes (the rest were
    /// taken from the frame before); nil when it was decoded whole by `FrameDecoder`.
    /// For tests: equal results alone cannot tell reuse from a fallback.
    private(set) var entriesRead: Int?

    public init() {}

    public mutating func decode(utf8 frame: UnsafeBufferPointer<UInt8>, at time: Timestamp) -> ComfyAction {
        entriesRead = nil
        if let snapshot = snapshot(frame) { return ComfyAction(at: time, .server(.progressState(snapshot))) }
        let action = FrameDecoder.decode(utf8: frame, at: time, knownPromptID: lastPromptID)
        if case .server(let message) = action.event, let id = message.promptID, id != lastPromptID { lastPromptID = id }
        return action
    }

    public mutating func decode(text: String, at time: Timestamp) -> ComfyAction {
        var text = text
        return text.withUTF8 { decode(utf8: $0, at: time) }
    }

    // The server's exact form (Python's json.dumps): `{"type": "progress_state", "data":
    // {"prompt_id": "<id>", "nodes": {"<key>": {…}, …}}}`.
    private static let head: StaticString = #"{"type": "progress_state", "data": {"prompt_id": ""#
    private static let nodesKey: StaticString = #", "nodes": {"#

    /// The frame as a snapshot, read incrementally; nil when it is not a snapshot in the
    /// server's form (then `FrameDecoder` reads it, and nothing is remembered).
    private mutating func snapshot(_ frame: UnsafeBufferPointer<UInt8>) -> ServerMessage.ProgressSnapshot? {
        var r = JSONReader(frame)
        guard r.skip(literal: Self.head) else { return nil }
        let idStart = r.pos
        guard let rawID = try? r.readRawStringAfterQuote(), r.skip(literal: Self.nodesKey) else { return forget() }
        let start = r.pos
        // Same prompt, same head: the entries before the first changed byte stand.
        var reuse = 0
        let sameHead = !bytes.isEmpty && start == entriesStart && Self.equalBytes(frame, bytes, 0, start)
        if sameHead, frame.count > start {
            let first = Self.firstDifference(frame, bytes, from: start)
            if first == nil, frame.count == bytes.count {
                entriesRead = 0
                return ServerMessage.ProgressSnapshot(promptID: promptID, nodes: nodes)
            }
            let limit = first ?? min(frame.count, bytes.count)
            // Entries that end before the first changed byte stand; the rest are read.
            reuse = ends.partitioningIndex { $0 >= limit }
        } else {
            let raw = UnsafeBufferPointer(rebasing: frame[idStart..<(idStart + rawID.count)])
            if var last = lastPromptID, last.withUTF8({ $0.elementsEqual(raw) }) {
                promptID = last
            } else {
                promptID = String(decoding: raw, as: UTF8.self)
            }
            lastPromptID = promptID
        }
        // The common tail, never overlapping what was just reused.
        var tail = 0
        if sameHead {
            tail = Self.commonSuffix(frame, bytes, floor: reuse > 0 ? ends[reuse - 1] : start)
        }
        var read = 0
        var newStarts = Self.refill(&spareStarts, with: starts.prefix(reuse))
        var newEnds = Self.refill(&spareEnds, with: ends.prefix(reuse))
        newStarts.reserveCapacity(max(starts.count, 8))
        newEnds.reserveCapacity(max(ends.count, 8))
        // (Emptying an empty array is not free: a generic range replacement.)
        if !readNodes.isEmpty { readNodes.removeAll(keepingCapacity: true) }
        // The old entry the unchanged tail starts at, once found.
        var tailFrom: Int?
        r.pos = reuse > 0 ? ends[reuse - 1] : start
        let delta = frame.count - bytes.count
        let tailStartOld = bytes.count - tail
        do throws(JSONError) {
            if reuse > 0 {
                // After a reused entry: a separator, or the end of the entries.
                r.skipWhitespace()
                if r.peek() == UInt8(ascii: ",") { r.pos += 1 }
            }
            while true {
                r.skipWhitespace()
                guard let byte = r.peek() else { return forget() }
                if byte == UInt8(ascii: "}") { break }
                let entryStart = r.pos
                // From here on the bytes are the old ones, shifted: take the old entries.
                if tail > 0, entryStart - delta >= tailStartOld, let old = Self.index(of: entryStart - delta, in: starts) {
                    for k in old..<starts.count {
                        newStarts.append(starts[k] + delta)
                        newEnds.append(ends[k] + delta)
                    }
                    tailFrom = old
                    r.pos = ends[ends.count - 1] + delta
                    r.skipWhitespace()
                    guard r.peek() == UInt8(ascii: "}") else { return forget() }
                    break
                }
                guard let key = try r.readRawString() else { return forget() }  // an escaped key: not the server's form
                r.skipWhitespace()
                guard r.peek() == UInt8(ascii: ":") else { return forget() }
                r.pos += 1
                let keyString = String(decoding: key, as: UTF8.self)
                let node = try MessageDecoders.nodeProgress(&r, key: keyString, raw: key, promptID: rawID)
                newStarts.append(entryStart)
                newEnds.append(r.pos)
                readNodes.append(node)
                read += 1
                r.skipWhitespace()
                if r.peek() == UInt8(ascii: ",") { r.pos += 1 }
            }
            r.pos += 1  // the entries' closing brace
            guard r.skip(literal: "}}") else { return forget() }
            try r.expectEnd()
        } catch {
            return forget()
        }
        // The remembered bytes are this decoder's alone: overwritten in place, and only
        // where they differ when the length is the same (a fresh 100 KB array per frame
        // was an allocation, page faults and a full copy).
        if sameHead, bytes.count == frame.count {
            let from = reuse > 0 ? ends[reuse - 1] : start
            let to = frame.count - tail
            if from < to {
                bytes.withUnsafeMutableBufferPointer { b in
                    _ = memcpy(b.baseAddress! + from, frame.baseAddress! + from, to - from)
                }
            }
        } else {
            bytes.replaceSubrange(bytes.indices, with: frame)
        }
        let newNodes = assembleNodes(reuse: reuse, tailFrom: tailFrom)
        spareStarts = starts
        spareEnds = ends
        spareNodes = nodes
        starts = newStarts
        ends = newEnds
        nodes = newNodes
        entriesStart = start
        entriesRead = read
        return ServerMessage.ProgressSnapshot(promptID: promptID, nodes: newNodes)
    }

    /// Nothing to remember (the frame is read whole by `FrameDecoder`).
    private mutating func forget() -> ServerMessage.ProgressSnapshot? {
        spareStarts = []
        spareEnds = []
        spareNodes = []
        spareDiff = nil
        readNodes = []
        bytes = []
        starts = []
        ends = []
        nodes = []
        return nil
    }

    /// The frame's entries: the first `reuse` of the last frame's, those just read, and
    /// the last frame's from `tailFrom` on. Made from the spare list in place when it
    /// differs from the last frame's in a known range and the count stays (every tick of
    /// a running graph): only those entries and the ones read are written. Sets
    /// `spareDiff` for the next frame, when the last list becomes the spare.
    private mutating func assembleNodes(reuse: Int, tailFrom: Int?) -> [ServerMessage.NodeProgress] {
        let count = reuse + readNodes.count + (tailFrom.map { nodes.count - $0 } ?? 0)
        let readRange = reuse..<(reuse + readNodes.count)
        var out: [ServerMessage.NodeProgress] = []
        swap(&out, &spareNodes)
        if let diff = spareDiff, out.count == nodes.count, count == nodes.count {
            // Same count: the tail's entries keep their indices.
            for i in diff where !readRange.contains(i) { out[i] = nodes[i] }
            for j in readNodes.indices { out[reuse + j] = readNodes[j] }
        } else if reuse == 0, tailFrom == nil {
            // Every entry was read: the list is the one read, and the spare's storage
            // the next frame's scratch (no copy of the entries).
            swap(&out, &readNodes)
        } else {
            if !out.isEmpty { out.removeAll(keepingCapacity: true) }
            out.reserveCapacity(max(count, 8))
            out.append(contentsOf: nodes.prefix(reuse))
            out.append(contentsOf: readNodes)
            if let tailFrom { out.append(contentsOf: nodes[tailFrom...]) }
        }
        if !readNodes.isEmpty { readNodes.removeAll(keepingCapacity: true) }
        spareDiff = count == nodes.count ? readRange : nil
        return out
    }

    /// `spare`'s storage holding `prefix` (emptied in place: no allocation when it is
    /// this decoder's alone), taken out of `spare`.
    private static func refill<T>(_ spare: inout [T], with prefix: ArraySlice<T>) -> [T] {
        var out: [T] = []
        swap(&out, &spare)
        if !out.isEmpty { out.removeAll(keepingCapacity: true) }
        out.append(contentsOf: prefix)
        return out
    }

    /// The index of `offset` in the sorted `starts`, if it is one.
    private static func index(of offset: Int, in starts: [Int]) -> Int? {
        let i = starts.partitioningIndex { $0 >= offset }
        return i < starts.count && starts[i] == offset ? i : nil
    }

    private static func equalBytes(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8], _ from: Int, _ to: Int) -> Bool {
        guard to <= a.count, to <= b.count else { return false }
        return b.withUnsafeBufferPointer { b in memcmp(a.baseAddress! + from, b.baseAddress! + from, to - from) == 0 }
    }

    /// The first index from `from` where the two differ (nil: none within the shorter).
    private static func firstDifference(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8], from: Int) -> Int? {
        let n = min(a.count, b.count)
        return b.withUnsafeBufferPointer { b -> Int? in
            var k = from
            let x = UnsafeRawPointer(a.baseAddress!)
            let y = UnsafeRawPointer(b.baseAddress!)
            // Equal blocks by `memcmp` (vectorised), then words within the block that
            // differs: a 500-node snapshot differs near its end, and the word loop alone
            // over its 100 KB was a seventh of `progress_state_500`.
            let block = 1024
            while k + block <= n, memcmp(x + k, y + k, block) == 0 { k += block }
            while k + 8 <= n, x.loadUnaligned(fromByteOffset: k, as: UInt64.self) == y.loadUnaligned(fromByteOffset: k, as: UInt64.self) { k += 8 }
            while k < n, a[k] == b[k] { k += 1 }
            return k < n ? k : nil
        }
    }

    /// How many bytes at the ends of both are equal, not reaching below `floor` in either.
    private static func commonSuffix(_ a: UnsafeBufferPointer<UInt8>, _ b: [UInt8], floor: Int) -> Int {
        b.withUnsafeBufferPointer { b -> Int in
            let room = min(a.count, b.count) - floor
            guard room > 0 else { return 0 }
            var k = 0
            let x = UnsafeRawPointer(a.baseAddress! + a.count)
            let y = UnsafeRawPointer(b.baseAddress! + b.count)
            while k + 8 <= room, x.loadUnaligned(fromByteOffset: -k - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: -k - 8, as: UInt64.self) { k += 8 }
            while k < room, a[a.count - 1 - k] == b[b.count - 1 - k] { k += 1 }
            return k
        }
    }
}

extension JSONReader {
    /// After a string's opening quote: its bytes up to the closing quote, when it has no
    /// escapes (and then moves past it).
    mutating func readRawStringAfterQuote() throws(JSONError) -> UnsafeBufferPointer<UInt8> {
        let start = pos
        while pos < bytes.count, bytes[pos] != UInt8(ascii: "\""), bytes[pos] != UInt8(ascii: "\\") { pos += 1 }
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw JSONError("not a plain string", at: start) }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<pos])
        pos += 1
        return raw
    }
}
