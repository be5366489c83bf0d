import ComfyLive
import Foundation
import Testing
@testable import ComfyCore

/// `StreamDecoder` reads a `progress_state` frame from the bytes that changed since the
/// last one; whatever the frames, it must give exactly what `FrameDecoder` gives for each
/// frame alone.
struct StreamDecoderTests {
    typealias RNG = SplitMix64

    func expectSame(_ frames: [String], _ label: String) {
        var stream = StreamDecoder()
        for (i, frame) in frames.enumerated() {
            let at = Timestamp(seconds: Double(i))
            #expect(stream.decode(text: frame, at: at) == FrameDecoder.decode(text: frame, at: at), "\(label) frame \(i)")
        }
    }

    @Test func everyRecordedFrameDecodesAsAlone() throws {
        for name in Fixture.all {
            let frames = try Fixture.entries(name).compactMap { entry -> String? in
                if case .text(_, _, let incoming, let text) = entry.entry, incoming { return text }
                return nil
            }
            expectSame(frames, name)
        }
    }

    /// Random runs of a graph's snapshots: values ticking anywhere, nodes appearing and
    /// going, states changing, keys of other lengths, another prompt, a frame in another
    /// shape (escapes, spacing), truncated frames.
    @Test(arguments: [1, 2, 3, 4, 5, 6]) func randomSnapshotsDecodeAsAlone(seed: Int) {
        var rng = RNG(seed: UInt64(seed) &* 7919)
        var nodes: [(key: String, state: String, value: Int)] = (1...30).map { (String($0), "finished", 10) }
        var frames: [String] = []
        var id = IncrementalSnapshotTests.id
        for _ in 0..<200 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<5:
                let i = Int.random(in: 0..<nodes.count, using: &rng)
                nodes[i].value = Int.random(in: 0...10_000, using: &rng)
                nodes[i].state = Bool.random(using: &rng) ? "running" : "finished"
            case 5:
                nodes.insert((String(Int.random(in: 1...99_999, using: &rng)), "running", 0), at: Int.random(in: 0...nodes.count, using: &rng))
            case 6 where nodes.count > 1:
                nodes.remove(at: Int.random(in: 0..<nodes.count, using: &rng))
            case 7:
                id = id == IncrementalSnapshotTests.id ? "0b6c0000-0000-4000-8000-0000000000bb" : IncrementalSnapshotTests.id
            default:
                break
            }
            var frame = snapshot(nodes, id: id)
            switch Int.random(in: 0..<20, using: &rng) {
            case 0: frame = frame.replacingFirst(#""state": "#, with: #""state":"#)  // other spacing
            case 1: frame = String(frame.prefix(Int.random(in: 0..<frame.utf8.count, using: &rng)))  // truncated
            case 2: frame = frame.replacingFirst(#"{"value""#, with: #"{"\u0076alue""#)  // an escaped key
            default: break
            }
            frames.append(frame)
        }
        expectSame(frames, "seed \(seed)")
    }

    func snapshot(_ nodes: [(key: String, state: String, value: Int)], id: String) -> String {
        let entries = nodes.map { n in
            #""\#(n.key)": {"value": \#(n.value).0, "max": 10000.0, "state": "\#(n.state)", "node_id": "\#(n.key)", "prompt_id": "\#(id)", "display_node_id": "\#(n.key)", "parent_node_id": null, "real_node_id": "\#(n.key)"}"#
        }
        return #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
    }
}

extension String {
    /// With the first occurrence of `target` replaced.
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

/// Equal results alone cannot tell reuse from decoding every frame whole: these check
/// that a tick of one node in a large graph reads that one entry.
struct StreamDecoderReuseTests {
    static let id = "0b7c1f3e-5d2a-4c6b-9e8f-1a2b3c4d5e6f"

    static func snapshot(nodes: Int, value: Int) -> String {
        let entries = (1...nodes).map { i in
            let last = i == nodes
            return #""\#(i)": {"value": \#(last ? "\(value).0" : "1.0"), "max": \#(last ? "20.0" : "1.0"), "state": "\#(last ? "running" : "finished")", "node_id": "\#(i)", "prompt_id": "\#(id)", "display_node_id": "\#(i)", "parent_node_id": null, "real_node_id": "\#(i)"}"#
        }
        return #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
    }

    @Test func aTickOfTheLastNodeReadsOneEntry() {
        var stream = StreamDecoder()
        let frames = (0..<5).map { Self.snapshot(nodes: 50, value: $0) }
        var read: [Int?] = []
        for (i, frame) in frames.enumerated() {
            let at = Timestamp(seconds: Double(i))
            #expect(stream.decode(text: frame, at: at) == FrameDecoder.decode(text: frame, at: at))
            read.append(stream.entriesRead)
        }
        #expect(read == [50, 1, 1, 1, 1])
    }

    @Test func theSameFrameAgainReadsNothingAndAnotherShapeIsReadWhole() {
        var stream = StreamDecoder()
        let frame = Self.snapshot(nodes: 10, value: 3)
        _ = stream.decode(text: frame, at: Timestamp(seconds: 0))
        _ = stream.decode(text: frame, at: Timestamp(seconds: 1))
        #expect(stream.entriesRead == 0)
        _ = stream.decode(text: frame.replacingOccurrences(of: "\": ", with: "\":"), at: Timestamp(seconds: 2))
        #expect(stream.entriesRead == nil)
    }
}

/// The list of a snapshot is made in place from the one before last (only the entries
/// that differ are written): lists handed out earlier must not change, wherever the tick.
struct StreamDecoderInPlaceTests {
    @Test(arguments: [1, 2, 3]) func heldListsStayWhatTheyWere(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 104_729)
        var values = Array(repeating: 0, count: 40)
        var stream = StreamDecoder()
        var held: [(ComfyAction, String)] = []
        for i in 0..<120 {
            // Mostly one node ticks (the in-place case); now and then two, or none.
            for _ in 0..<Int.random(in: 0...2, using: &rng) { values[Int.random(in: 0..<40, using: &rng)] += Int.random(in: 1...3, using: &rng) }
            let entries = values.indices.map { k in
                #""\#(k + 1)": {"value": \#(values[k]).0, "max": 99.0, "state": "running", "node_id": "\#(k + 1)", "prompt_id": "\#(StreamDecoderReuseTests.id)", "display_node_id": "\#(k + 1)", "parent_node_id": null, "real_node_id": "\#(k + 1)"}"#
            }
            let frame = #"{"type": "progress_state", "data": {"prompt_id": "\#(StreamDecoderReuseTests.id)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
            held.append((stream.decode(text: frame, at: Timestamp(seconds: Double(i))), frame))
        }
        for (i, (action, frame)) in held.enumerated() {
            #expect(action == FrameDecoder.decode(text: frame, at: Timestamp(seconds: Double(i))), "frame \(i)")
        }
    }

    @Test func aTickInTheMiddleReadsOneEntry() {
        var stream = StreamDecoder()
        var read: [Int?] = []
        for value in 0..<4 {
            let entries = (1...30).map { k in
                #""\#(k)": {"value": \#(k == 15 ? value : 1).0, "max": 9.0, "state": "running", "node_id": "\#(k)", "prompt_id": "\#(StreamDecoderReuseTests.id)", "display_node_id": "\#(k)", "parent_node_id": null, "real_node_id": "\#(k)"}"#
            }
            let frame = #"{"type": "progress_state", "data": {"prompt_id": "\#(StreamDecoderReuseTests.id)", "nodes": {"# + entries.joined(separator: ", ") + "}}}"
            let action = stream.decode(text: frame, at: Timestamp(seconds: Double(value)))
            #expect(action == FrameDecoder.decode(text: frame, at: Timestamp(seconds: Double(value))))
            read.append(stream.entriesRead)
        }
        #expect(read == [30, 1, 1, 1])
    }
}

/// The prompt id of a frame equal to the last one named is handed out as that same string
/// (one allocation per prompt, not per frame); another id is read as it is.
struct PromptIDInterningTests {
    static func storage(_ s: String) -> UnsafeRawPointer? {
        s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }

    @Test func aRepeatedIDIsTheSameString() {
        let id = StreamDecoderReuseTests.id
        let other = "0b7c1f3e-5d2a-4c6b-9e8f-000000000002"
        let frames = [
            #"{"type": "execution_start", "data": {"prompt_id": "\#(id)", "timestamp": 1}}"#,
            #"{"type": "executing", "data": {"node": "3", "display_node": "3", "prompt_id": "\#(id)"}}"#,
            #"{"type": "progress", "data": {"value": 1, "max": 2, "prompt_id": "\#(id)", "node": "3"}}"#,
            #"{"type": "progress_state", "data": {"prompt_id": "\#(id)", "nodes": {}}}"#,
            #"{"type": "execution_success", "data": {"prompt_id": "\#(id)", "timestamp": 2}}"#,
            #"{"type": "execution_start", "data": {"prompt_id": "\#(other)", "timestamp": 3}}"#,
            #"{"type": "executing", "data": {"node": null, "prompt_id": "\#(other)"}}"#,
        ]
        var stream = StreamDecoder()
        var ids: [String] = []
        for (i, frame) in frames.enumerated() {
            let action = stream.decode(text: frame, at: Timestamp(seconds: Double(i)))
            #expect(action == FrameDecoder.decode(text: frame, at: Timestamp(seconds: Double(i))))
            guard case .server(let message) = action.event, let promptID = message.promptID else {
                Issue.record("frame \(i) names no prompt")
                return
            }
            ids.append(promptID)
        }
        #expect(ids == [id, id, id, id, id, other, other])
        let first = Self.storage(ids[0])
        #expect(first != nil)
        for i in 1...4 { #expect(Self.storage(ids[i]) == first, "frame \(i)") }
        #expect(Self.storage(ids[5]) != first)
        #expect(Self.storage(ids[6]) == Self.storage(ids[5]))
    }
}
