import Foundation
@testable import ComfyCore
import Testing

@Suite struct BinaryDecoderTests {
    let t = Timestamp(seconds: 2)

    func u32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    func decode(_ bytes: [UInt8], layout: BinaryDecoder.ProgressTextLayout = .released) -> Event {
        BinaryDecoder.decode(bytes, at: t, layout: layout).event
    }

    @Test func legacyPreview() {
        #expect(decode(u32(1) + u32(2) + [0x89, 0x50]) == .binary(.preview(.init(format: 2, image: [0x89, 0x50]))))
        if case .binary(.preview(let p)) = decode(u32(1) + u32(1)) { #expect(p.mimeType == "image/jpeg" && p.image.isEmpty) }
    }

    @Test func progressTextReleasedLayoutFromTheFixturesReadme() throws {
        let bytes = try #require(Data(base64Encoded: "AAAAAwAAAAEyc3RlcCAxLzEw")).map { $0 }
        #expect(decode(bytes) == .binary(.progressText(.init(promptID: nil, nodeID: "2", text: "step 1/10"))))
    }

    @Test func progressTextWithPromptIDLayout() {
        let bytes = u32(3) + u32(2) + Array("p1".utf8) + u32(1) + Array("7".utf8) + Array("hello".utf8)
        #expect(decode(bytes, layout: .withPromptID) == .binary(.progressText(.init(promptID: "p1", nodeID: "7", text: "hello"))))
        // A released-layout frame still decodes when the other layout was expected.
        let released = u32(3) + u32(1) + Array("2".utf8) + Array("step 1/10".utf8)
        #expect(decode(released, layout: .withPromptID) == .binary(.progressText(.init(promptID: nil, nodeID: "2", text: "step 1/10"))))
    }

    @Test func previewWithMetadata() {
        let meta = #"{"node_id": "2", "prompt_id": "p1", "display_node_id": "2", "parent_node_id": null, "real_node_id": "2", "image_type": "image/jpeg"}"#
        let bytes = u32(4) + u32(UInt32(meta.utf8.count)) + Array(meta.utf8) + [0xFF, 0xD8, 0xFF]
        #expect(decode(bytes) == .binary(.previewWithMetadata(.init(
            nodeID: "2", promptID: "p1", displayNodeID: "2", parentNodeID: nil, realNodeID: "2", mimeType: "image/jpeg",
            image: [0xFF, 0xD8, 0xFF]))))
    }

    @Test func unknownBinaryTypesAreKept() {
        guard case .unknown(let type, let payload) = decode(u32(9) + [1, 2, 3]) else { Issue.record("not unknown"); return }
        #expect(type == "binary:9")
        #expect(payload == "7 bytes: 00000009010203")
    }

    @Test(arguments: [
        ([UInt8](), "has no 4-byte type"),
        ([0, 0, 1], "has no 4-byte type"),
        ([0, 0, 0, 1, 0, 0], "without its image format"),
        ([0, 0, 0, 4, 0, 0, 0], "without its metadata length"),
        ([0, 0, 0, 4, 0, 0, 1, 0, 0x7B], "overruns the frame"),
        ([0, 0, 0, 4, 0, 0, 0, 3] + Array("{x}".utf8), "malformed metadata"),
        ([0, 0, 0, 3, 0, 0, 0, 9, 0x41], "overruns the frame"),
        ([0, 0, 0, 3, 0, 0], "overruns the frame"),
    ])
    func truncatedFramesBecomeProtocolErrors(bytes: [UInt8], reason: String) {
        guard case .protocolError(let e) = decode(bytes) else { Issue.record("decoded \(bytes)"); return }
        #expect(e.reason.contains(reason), "\(e.reason)")
    }

    @Test func everyRecordedBinaryFrameDecodes() throws {
        let (_, frames) = try Fixture.incomingFrames()
        var types: [String: Int] = [:]
        for frame in frames {
            switch decode(frame) {
            case .binary(.preview): types["1", default: 0] += 1
            case .binary(.progressText): types["3", default: 0] += 1
            case .binary(.previewWithMetadata): types["4", default: 0] += 1
            case let other: Issue.record("\(other)")
            }
        }
        // Legacy previews: 10 of our own (success_progress_legacy), 6 broadcast for a prompt
        // without a client id (observer_two_clients).
        #expect(types["1"] == 16 && types["4"] == 10 && types["3"] == 10)
    }
}
