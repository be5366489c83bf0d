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

    @Test func httpLinesAndEscapedFramesGiveTheSameActions() throws {
        let prompt = #"{"prompt":{"1":{"class_type":"EmptyImage","inputs":{"width":64},"_meta":{"title":"E"}},"2":{"class_type":"PreviewImage","inputs":{"images":["1",0]}}},"client_id":"abc","extra_data":{"x":"\u00e9"}}"#
        let history = #"{"p1":{"prompt":[1,"p1",{"1":{},"2":{}},{"client_id":"abc"},["2"]],"outputs":{"2":{"images":[{"filename":"a.png"}]}},"status":{"status_str":"success","completed":true,"messages":[["execution_start",{"prompt_id":"p1","timestamp":1}],["execution_success",{"prompt_id":"p1","timestamp":2}]]},"meta":{"2":{"node_id":"2"}}}}"#
        var lines = [
            #"{"t":0,"meta":{}}"#,
            #"{"t":0.1,"ws":{"event":"open","conn":0,"path":"/ws?clientId=abc"}}"#,
            // The recorder's form, then variants: no t_sent, no t, extra members, odd routes.
            #"{"t":0.2,"t_sent":0.1,"http":{"method":"POST","path":"/prompt","status":200,"request":\#(prompt),"response":{"prompt_id":"p1","number":1,"node_errors":{}}}}"#,
            #"{"t":0.3,"http":{"method":"GET","path":"/history/p1","status":200,"request":null,"response":\#(history)}}"#,
            #"{"http":{"method":"GET","path":"/api/history?max_items=64","status":200,"response":\#(history),"x":[1,{"y":"\n"}]},"t_sent":{"a":[]}}"#,
            #"{"t":0.5,"t_sent":0.4,"http":{"method":"GET","path":"/api/jobs?limit=5","status":200,"request":null,"response":{"jobs":[{"id":"p1","status":"completed","outputs":{"9":[1,2,"\u00e9"]}}]}}}"#,
            #"{"t":0.6,"http":{"method":"GET","path":"/queue","status":200,"response":{"queue_running":[],"queue_pending":[[2,"p2",{"1":{}},{"client_id":"abc"},["1"]]]}}}"#,
            #"{"t":0.7,"http":{"method":"POST","path":"/prompt","status":400,"request":{"prompt_id":"p3","prompt":{}},"response":{"error":{"type":"prompt_no_outputs","message":"no outputs"},"node_errors":[]}}}"#,
            #"{"t":0.8,"http":{"method":"GET","path":"/system_stats","status":500,"response":"boom"}}"#,
            // Taken by the reader instead: bodies before the route, a repeated member, an
            // unknown top-level key, t as a string.
            #"{"t":0.9,"http":{"response":\#(history),"method":"GET","path":"/history","status":200}}"#,
            #"{"t":1.0,"http":{"method":"GET","path":"/history","path":"/queue","status":200,"response":\#(history)}}"#,
            #"{"t":1.3,"note":"n","http":{"method":"GET","path":"/prompt","status":200,"response":{}}}"#,
            #"{"t":"1.4","http":{"method":"GET","path":"/prompt","status":200,"response":{"exec_info":{"queue_remaining":2}}}}"#,
        ]
        // Frames whose escapes fall at every offset of an eight-byte word, every escape
        // JSON has, raw UTF-8, and the text before the other keys.
        for pad in 0..<17 {
            let padding = String(repeating: "x", count: pad)
            lines.append(
                #"{"t":2,"conn":0,"dir":"in","kind":"text","text":"{\"type\": \"progress_text\", \"data\": {\"nodeId\": \"\#(padding)\\\"\/\b\f\n\r\t\\\\\", \"text\": \"\#(padding)\"}}"}"#)
        }
        lines.append(#"{"t":2.1,"conn":0,"dir":"in","kind":"text","text":"{\"type\": \"progress_text\", \"data\": {\"nodeId\": \"1\", \"text\": \"é ✓\"}}"}"#)
        lines.append(#"{"text":"{\"type\": \"status\", \"data\": {\"status\": {\"exec_info\": {\"queue_remaining\": 3}}}}","t":2.2,"conn":0,"dir":"in","kind":"text"}"#)
        lines.append(#"{"t":2.3,"conn":0,"dir":"in","kind":"text","text":""}"#)
        lines.append(#"{"t":2.4,"conn":0,"dir":"in","kind":"text","text":"\u007b}"}"#)
        let path = try Self.file(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.expectSame(path)
    }

    @Test func socketAndNoteLinesGiveTheSameActions() throws {
        let lines = [
            #"{"t":0,"meta":{}}"#,
            #"{"t":0.1,"ws":{"event":"open","conn":0,"path":"/ws?clientId=abc"}}"#,
            #"{"t":0.2,"ws":{"event":"close","conn":0}}"#,
            #"{"ws":{"path":"/ws?x=1&clientId=def","conn":1,"event":"open"},"t":0.3}"#,
            #"{"t":0.4,"ws":{"event":"open","conn":2}}"#,
            #"{"t":0.5,"note":"a note"}"#,
            #"{"t":0.6,"note":{"what":["\u00e9",1]}}"#,
            #"{"note":"no time"}"#,
            // Taken by the reader instead: an extra member, a path that is not a string,
            // a note beside a socket (the note wins), a repeated key, an escaped event.
            #"{"t":0.7,"ws":{"event":"close","conn":2,"code":1000}}"#,
            #"{"t":0.8,"ws":{"event":"open","conn":3,"path":5}}"#,
            #"{"t":0.9,"note":"n","ws":{"event":"close","conn":3}}"#,
            #"{"t":1.0,"ws":{"event":"close","conn":3,"conn":4}}"#,
            #"{"t":1.1,"ws":{"event":"\u006fpen","conn":5,"path":"/ws"}}"#,
        ]
        let path = try Self.file(lines.joined(separator: "\n") + "\n")
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
        for bad in [
            "not json at all", #"{"t":1,"what":1}"#, #"{"t":1,"conn":0,"dir":"in","kind":"video"}"#,
            #"{"t":1,"conn":"0","kind":"text","text":"{}"}"#,
            // A malformed text frame string; HTTP lines without a path, with a malformed
            // part of a body the decoder does not read, or cut short.
            #"{"t":1,"conn":0,"dir":"in","kind":"text","text":"{\x}"}"#,
            #"{"t":1,"http":{"method":"GET","status":200}}"#,
            #"{"t":1,"ws":{"event":"opened","conn":0}}"#, #"{"t":1,"ws":{"event":"open"}}"#, #"{"t":1,"ws":[]}"#,
            #"{"t":1,"note":"\x"}"#,
            #"{"t":1,"http":{"method":"GET","path":"/prompt","status":200.5,"response":{}}}"#,
            #"{"t":1,"http":{"method":["GET"],"path":"/prompt","status":200,"response":{}}}"#,
            #"{"t":1,"http":{"method":"GET","path":"/api/jobs","status":200,"response":{"jobs":["\x"]}}}"#,
            #"{"t":1,"http":{"method":"POST","path":"/prompt","status":200,"request":{"prompt":{"1":{"inputs":{"a":1.}}}}}}"#,
            #"{"t":1,"http":{"method":"GET","path":"/history","status":200,"response":{"p":{"meta":[1,]}}}}"#,
            #"{"t":1,"http":{"method":"GET","path":"/history","status":200,"response":{}}"#,
        ] {
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
