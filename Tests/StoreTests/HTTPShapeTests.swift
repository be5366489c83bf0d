import ComfyLive
import Foundation
import Testing
@testable import ComfyCore

/// `HTTPResultDecoder.shapes` and `JSONReader.readValue(shape:)`: bodies read only as far
/// as the decoder reads them decode to the same `HTTPResult` as whole trees, and a
/// document is refused exactly when `readValue()` refuses it.
struct HTTPShapeTests {
    /// The result of decoding the exchange from bodies read with the route's shapes.
    static func shaped(method: String, path: String, status: Int, request: JSONValue, response: JSONValue) throws -> HTTPResult {
        let shapes = HTTPResultDecoder.shapes(method: method, path: path, status: status)
        let request = try read(JSONWriter.string(request), shapes.request)
        return HTTPResultDecoder.decode(
            method: method, path: path, status: status, request: request.isNull ? nil : request,
            response: try read(JSONWriter.string(response), shapes.response))
    }

    static func read(_ text: String, _ shape: JSONShape) throws(JSONError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONError> = text.withUTF8 { bytes in
            var r = JSONReader(bytes)
            do throws(JSONError) {
                let value = try r.readValue(shape: shape)
                try r.expectEnd()
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    static func expectSame(
        method: String, path: String, status: Int, request: JSONValue, response: JSONValue,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let whole = HTTPResultDecoder.decode(
            method: method, path: path, status: status, request: request.isNull ? nil : request, response: response)
        let shaped = try shaped(method: method, path: path, status: status, request: request, response: response)
        #expect(shaped == whole, "\(method) \(path) \(status)", sourceLocation: sourceLocation)
    }

    static var transcripts: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixture.directory.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.map { Fixture.directory.appendingPathComponent($0).path }.sorted()
    }

    @Test func everyRecordedExchangeDecodesTheSameFromItsShapes() throws {
        var exchanges = 0
        for path in Self.transcripts {
            for (_, entry) in try TranscriptReader.read(path: path) {
                guard case .http(_, let method, let path, let status, let request, let response) = entry else { continue }
                try Self.expectSame(method: method, path: path, status: status, request: request, response: response)
                exchanges += 1
            }
        }
        #expect(exchanges >= 58)
    }

    /// Bodies of odd shapes on every route the decoder knows (and one it does not).
    @Test func oddBodiesDecodeTheSameFromTheirShapes() throws {
        let j: (String) throws -> JSONValue = { try JSONValue.parse($0) }
        let bodies: [JSONValue] = try [
            .null, j("[]"), j("{}"), j(#""an error""#), j("3"), j(#"{"error":"bad"}"#),
            j(#"{"error":{"message":"m","type":"t","details":"d","extra_info":{"x":[1]}},"node_errors":{"3":{"class_type":"K","errors":[{"type":"e","message":"m","extra_info":{"input_name":"seed"}}],"dependent_outputs":["9",7]}}}"#),
            j(#"{"prompt":{"1":{"class_type":"A","inputs":{"x":[1,2]},"class_type":"B"},"2":{"inputs":{}},"3":[1],"4":null},"client_id":"c","prompt_id":"p","extra_data":{"w":{"a":1}},"prompt_id":"q"}"#),
            j(#"{"prompt":[1,2],"client_id":7,"prompt_id":12}"#),
            j(#"{"prompt_id":"p1","number":3,"node_errors":{}}"#),
            j(#"{"queue_running":[[1,"a",{"1":{},"2":{}},{"client_id":"c","x":1},["9"]]],"queue_pending":[[2,"b",{},{}],[3],"x",[0.5,7,null,null,null,"extra"]]}"#),
            j(#"{"queue_running":{},"queue_pending":[]}"#),
            j(#"{"delete":["a",2,null],"clear":true}"#), j(#"{"clear":true}"#), j(#"{"prompt_id":"p"}"#),
            j(#"{"exec_info":{"queue_remaining":4}}"#), j(#"{"exec_info":{"queue_remaining":4.5}}"#),
            j(#"{"system":{"comfyui_version":"0.3","os":"posix"},"devices":[{"name":"cpu"},{"x":1},3]}"#),
            j(#"{"supports_preview_metadata":true,"max_upload_size":10}"#),
            j(#"{"p1":{"prompt":[1,"p1",{"1":{"class_type":"A"}},{"client_id":"c"},["1"]],"outputs":{"1":{"images":[]}},"status":{"status_str":"success","completed":true,"messages":[["execution_start",{"timestamp":1}],["execution_cached",{"nodes":["1",2]}],["execution_success",{"timestamp":2}]]},"meta":{"1":{}}},"p2":3,"p3":{"status":{"status_str":"error","messages":[["execution_error",{"node_id":"4","node_type":"T","executed":["1"],"exception_type":"E","exception_message":"m","traceback":["a",1],"current_inputs":{"x":[1]},"timestamp":5}]]}},"p4":{"prompt":"no","outputs":null,"prompt":[9,"p4"]}}"#),
        ]
        let routes: [(String, String)] = [
            ("POST", "/prompt"), ("post", "/api/prompt"), ("GET", "/queue"), ("GET", "/api/queue?x=1"), ("POST", "/queue"),
            ("POST", "/interrupt"), ("GET", "/prompt"), ("GET", "/features"), ("GET", "/system_stats"),
            ("GET", "/history"), ("GET", "/history?max_items=5"), ("GET", "/api/history/p1"), ("GET", "/api/jobs"),
            ("DELETE", "/queue"),
        ]
        for (method, path) in routes {
            for status in [200, 204, 400, 500] {
                for request in bodies {
                    for response in bodies {
                        try Self.expectSame(method: method, path: path, status: status, request: request, response: response)
                    }
                }
            }
        }
    }

    /// A skipped part is refused as the whole reader refuses it: escapes, numbers,
    /// literals, structure, depth.
    @Test func aSkippedPartIsRefusedExactlyWhenAWholeReadIsRefused() {
        let deep = String(repeating: "[", count: JSONReader.maxDepth + 1) + String(repeating: "]", count: JSONReader.maxDepth + 1)
        let justDeepEnough = String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        let documents = [
            #"{"a":"ok \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \ud800"}"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\u12g4"}"#,
            #"{"a":"\ud83d\u12"}"#, #"{"a":"abc"#, #"{"a":"abc\"#, #"{"a":"\"#, #"{"a":1.}"#, #"{"a":-}"#, #"{"a":1e}"#,
            #"{"a":NaN,"b":-Infinity}"#, #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":[1,]}"#, #"{"a":[1 2]}"#, #"{"a":{"b"}}"#,
            #"{"a":{"b":1,}}"#, #"{"\u0061":1}"#, #"{"\q":1}"#, #"{"a":1"#, #"{"a":[}"#, "{\"a\":" + deep + "}", justDeepEnough,
            deep, #"{"a":"ok"} x"#, "",
        ]
        let shapes: [JSONShape] = [
            .skipped, .object([], others: .skipped), .object([], others: nil), .object([("a", .skipped)], others: nil),
            .array([], rest: .skipped), .object([("b", .whole)], others: .object([], others: nil)),
        ]
        for document in documents {
            let whole = Result { () throws(JSONError) in try JSONValue.parse(document) }
            for shape in shapes {
                let shaped = Result { () throws(JSONError) in try Self.read(document, shape) }
                switch (whole, shaped) {
                case (.success, .success), (.failure, .failure): break
                default: Issue.record("\(document) with \(shape): read whole \(whole), with the shape \(shaped)")
                }
            }
        }
    }

    /// `normalise` cuts an ASCII path on its bytes: the same as on its characters.
    @Test func pathsAreNormalisedAsOnTheirCharacters() {
        for path in [
            "", "/", "?", "/api", "/api/", "/api/?", "/api/prompt", "/prompt?x=1", "/api/history?max_items=5&a=?b",
            "/api/jobs/abc?", "api/prompt", "/API/prompt", "/api/\r\n?x", "/hist\u{F6}ry/\u{E9}?q=\u{E9}", "/x?\u{301}y",
            "/api/e\u{301}?",
        ] {
            let (a, b) = (HTTPResultDecoder.normalise(path), HTTPResultDecoder.normaliseCharacters(path))
            #expect(a.path == b.path && a.query == b.query, "\(path)")
        }
    }

    @Test func shapesBuildOnlyWhatTheyName() throws {
        let document = #"{"keep":{"x":[1,2]},"drop":{"y":3},"graph":{"1":{"class_type":"A","inputs":{}},"2":[]},"list":[1,{"a":2},3,4]}"#
        let shape = JSONShape.object(
            [("keep", .whole), ("graph", .object([], others: .object([("class_type", .whole)], others: nil))),
             ("list", .array([.whole, .skipped], rest: .skipped))],
            others: nil)
        #expect(
            try Self.read(document, shape)
                == JSONValue.parse(#"{"keep":{"x":[1,2]},"graph":{"1":{"class_type":"A"},"2":[]},"list":[1,null,null,null]}"#))
        #expect(try Self.read(document, .object([], others: .skipped)) == JSONValue.parse(#"{"keep":null,"drop":null,"graph":null,"list":null}"#))
        #expect(try Self.read("[1,2]", .object([], others: nil)) == JSONValue.parse("[1,2]"))
    }
}
