import ComfyLive
import Foundation
import Testing
@testable import ComfyCore

/// The streamed replay (`TranscriptFile` + `TranscriptLineDecoder`, what `comfysh replay`
/// runs) against the replay of entries read whole (`TranscriptReader`): the same actions,
/// the same final state, the same errors — on every fixture and on lines made to miss
/// the fast path.
struct TranscriptStreamTests {
    /// Every step of the streamed replay of `path`, and its final state.
    static func streamed(_ path: String) throws(TranscriptError) -> ([(Int, ComfyAction)], AppState) {
        var steps: [(Int, ComfyAction)] = []
        var state = AppState()
        try TranscriptActions.replay(path: path, into: &state) { steps.append(($0.line, $0.action)) }
        var fast = AppState()
        try TranscriptActions.replay(path: path, into: &fast)
        #expect(fast == state, "the replay without steps ends elsewhere")
        return (steps, state)
    }

    /// The same through the entries read whole.
    static func whole(_ path: String) throws(TranscriptError) -> ([(Int, ComfyAction)], AppState) {
        var steps: [(Int, ComfyAction)] = []
        var state = AppState()
        TranscriptActions.replay(try TranscriptReader.read(path: path), into: &state) { steps.append(($0.line, $0.action)) }
        return (steps, state)
    }

    static func expectSame(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (a, stateA) = try streamed(path)
        let (b, stateB) = try whole(path)
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) {
            #expect(x.0 == y.0 && x.1 == y.1, "line \(x.0): \(x.1) ≠ line \(y.0): \(y.1)", sourceLocation: sourceLocation)
        }
        #expect(stateA == stateB, sourceLocation: sourceLocation)
        #expect(JSONWriter.string(stateA.json) == JSONWriter.string(stateB.json), sourceLocation: sourceLocation)
    }

    static func file(_ contents: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("comfysh-stream-\(UUID().uuidString).jsonl")
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    @Test(arguments: Fixture.all) func everyFixtureReplaysTheSameStreamed(name: String) throws {
        try Self.expectSame(Fixture.path(name))
    }

    @Test func linesTheFastPathDoesNotTakeGiveTheSameActions() throws {
        let frame = #"{\"type\": \"progress\", \"data\": {\"value\": 1, \"max\": 2, \"prompt_id\": \"p1\", \"node\": \"3\"}}"#
        let lines = [
            #"{"t":0,"meta":{}}"#,
            #"{"t":0.1,"ws":{"event":"open","conn":0,"path":"/ws?clientId=abc"}}"#,
            // Fast path.
            #"{"t":0.2,"conn":0,"dir":"in","kind":"text","text":"\#(frame)"}"#,
            // Keys in another order, CRLF, blanks around.
            "  {\"text\":\"\(frame)\",\"kind\":\"text\",\"dir\":\"in\",\"conn\":0,\"t\":0.3}\r",
            "",
            "   \t",
            // An extra key, a repeated key, t as a string, dir missing, a non-integral conn.
            #"{"t":0.4,"conn":0,"dir":"in","kind":"text","text":"\#(frame)","extra":[1,{"a":"\u00e9"}]}"#,
            #"{"t":0.5,"t":9,"conn":0,"dir":"in","kind":"text","text":"\#(frame)"}"#,
            #"{"t":"0.6","conn":0,"dir":"in","kind":"text","text":"\#(frame)"}"#,
            #"{"t":0.7,"conn":0,"kind":"text","text":"\#(frame)"}"#,
            // Outgoing, non-ASCII (escaped and raw), a malformed frame, unknown type.
            #"{"t":0.8,"conn":0,"dir":"out","kind":"text","text":"{\"type\":\"feature_flags\",\"data\":{}}"}"#,
            #"{"t":0.9,"conn":0,"dir":"in","kind":"text","text":"{\"type\": \"st\u00e4tus\", \"data\": {\"x\": \"\ud83d\ude00 \ud800\"}}"}"#,
            "{\"t\":1.0,\"conn\":0,\"dir\":\"in\",\"kind\":\"text\",\"text\":\"{\\\"type\\\": \\\"ünknown\\\", \\\"data\\\": {}}\"}",
            #"{"t":1.1,"conn":0,"dir":"in","kind":"text","text":"{\"type\": \"progress\", \"data\": {\"value\": "}"#,
            // Binary: good, padded, invalid base64, base64 Foundation takes but the strict
            // decoder does not (non-zero padding bits), an escaped slash.
            #"{"t":1.2,"conn":0,"dir":"in","kind":"binary","b64":"AAAAAwAAAAEyc3RlcCAxLzEw"}"#,
            #"{"t":1.3,"conn":0,"dir":"in","kind":"binary","b64":"AAAAAwAAAAEyc3RlcCAxMC8xMA=="}"#,
            #"{"t":1.4,"conn":0,"dir":"in","kind":"binary","b64":"!!!"}"#,
            #"{"t":1.5,"conn":0,"dir":"in","kind":"binary","b64":"AAAABB=="}"#,
            #"{"t":1.6,"conn":0,"dir":"in","kind":"binary","b64":"AAAAAQAAAAH\/2P8="}"#,
            #"{"t":1.7,"conn":0,"dir":"in","kind":"binary","b64":""}"#,
            #"{"t":1.8,"note":"a note"}"#,
            #"{"t":1.9,"ws":{"event":"close","conn":0}}"#,
        ]
        // Without a final newline: the last line still counts.
        let path = try Self.file(lines.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.expectSame(path)
    }

    @Test func aLineLongerThanTheReadBufferIsOneLine() throws {
        let long = String(repeating: "x", count: TranscriptFile.chunkSize + 17)
        let text = #"{\"type\": \"logs\", \"data\": {\"entries\": [{\"t\": \"now\", \"m\": \"\#(long)\"}]}}"#
        let path = try Self.file(
            #"{"t":0,"meta":{}}"# + "\n" + #"{"t":0.1,"conn":0,"dir":"in","kind":"text","text":"\#(text)"}"# + "\n"
                + #"{"t":0.2,"conn":0,"dir":"in","kind":"text","text":"\#(text)"}"# + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.expectSame(path)
        #expect(try Self.streamed(path).0.map(\.0) == [2, 3])
    }

    @Test func errorsAreTheReadersAtTheSameLine() throws {
        for bad in ["not json at all", #"{"t":1,"what":1}"#, #"{"t":1,"conn":0,"dir":"in","kind":"video"}"#, #"{"t":1,"conn":"0","kind":"text","text":"{}"}"#] {
            let path = try Self.file(#"{"t":0,"meta":{}}"# + "\n\n" + bad + "\n")
            defer { try? FileManager.default.removeItem(atPath: path) }
            var streamedError: TranscriptError?
            do { _ = try Self.streamed(path) } catch { streamedError = error }
            var wholeError: TranscriptError?
            do { _ = try TranscriptReader.read(path: path) } catch { wholeError = error }
            #expect(streamedError != nil)
            #expect(streamedError == wholeError)
            #expect(streamedError?.line == 3)
        }
    }

    @Test func aMissingFileOrADirectoryIsTheReadersError() throws {
        for path in ["no/such/file.jsonl", FileManager.default.temporaryDirectory.path] {
            var streamedError: TranscriptError?
            do { _ = try Self.streamed(path) } catch { streamedError = error }
            var wholeError: TranscriptError?
            do { _ = try TranscriptReader.read(path: path) } catch { wholeError = error }
            #expect(streamedError != nil)
            #expect(streamedError == wholeError)
        }
    }
}
