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
