import ComfyCore
import ComfyLive
import Foundation
import Testing

/// A recording must never take the client down: traffic still in flight when the shell
/// stops recording (or quits) is dropped (it trapped: `FileHandle.write(_:)` traps on
/// any error, a closed handle's included).
@Suite struct TranscriptWriterTests {
    @Test func writesAfterCloseAreDroppedAndTheFileKeepsWhatCameBefore() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("writer-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try TranscriptWriter(path: path, meta: .object(["recorder": "test"]))
        writer.write(.note(t: 1, text: "before"))
        writer.close()
        writer.write(.note(t: 2, text: "after"))
        writer.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines == [#"{"t":0,"meta":{"recorder":"test"}}"#, #"{"t":1,"note":"before"}"#])
        #expect(writer.failure == nil)
    }
}
