import Testing

@testable import ComfySimulator

/// The serializer that writes JSON as Python's `json.dumps` does, and the Python
/// conversions whose messages end up in `node_errors`.
@Suite(.timeLimit(.minutes(1))) struct PythonJSONTests {
    @Test func separatorsAndOrderAreThePythonDefaults() {
        let value = PyJSON.object(["type": .string("status"), "data": .object(["list": .array([.int(1), .null, .bool(true)])])])
        #expect(value.serialized == "{\"type\": \"status\", \"data\": {\"list\": [1, null, true]}}")
        #expect(PyJSON.emptyObject.serialized == "{}")
        #expect(PyJSON.array([]).serialized == "[]")
    }

    @Test func floatsKeepTheirPoint() {
        let cases: [(Double, String)] = [
            (0, "0.0"), (1, "1.0"), (0.2, "0.2"), (0.00001, "1e-05"), (1e16, "1e+16"), (100_000, "100000.0"), (-0.5, "-0.5"),
            (.nan, "NaN"), (.infinity, "Infinity"), (-.infinity, "-Infinity"),
        ]
        for (number, text) in cases { #expect(PyJSON.float(number).serialized == text) }
        #expect(PyJSON.int(10).serialized == "10")
    }

    @Test func stringsAreEscapedToASCII() {
        #expect(PyJSON.string("café ✓ 😀").serialized == "\"caf\\u00e9 \\u2713 \\ud83d\\ude00\"")
        #expect(PyJSON.string("a\"b\\c\n\t\u{01}\u{7F}").serialized == "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\"")
    }

    @Test func conversionsFailWithPythonsMessages() throws {
        #expect(throws: PythonConversions.Failure.self) { try PythonConversions.int(.string("ten")) }
        do {
            _ = try PythonConversions.int(.string("ten"))
        } catch {
            #expect(error.message == "invalid literal for int() with base 10: 'ten'")
        }
        do {
            _ = try PythonConversions.float(.string("abc"))
        } catch {
            #expect(error.message == "could not convert string to float: 'abc'")
        }
        #expect(try PythonConversions.int(.float(3.9)) == .int(3))
        #expect(try PythonConversions.int(.string(" 1_000 ")) == .int(1000))
        #expect(try PythonConversions.float(.int(30)) == .float(30))
        #expect(try PythonConversions.float(.string("1e3")) == .float(1000))
        #expect(PythonConversions.repr("it's") == "\"it's\"")
        #expect(PythonConversions.keyRepr(.int(99)) == "99")
    }

    @Test func binaryLayouts() {
        #expect(BinaryFrame.progressText(nodeID: "2", text: "step 1/10") == [0, 0, 0, 3, 0, 0, 0, 1] + Array("2step 1/10".utf8))
        #expect(BinaryFrame.legacyPreview(jpeg: [0xFF, 0xD8]) == [0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0xD8])
        let metadata = PyJSON.object(["node_id": .string("2")])
        let frame = BinaryFrame.previewWithMetadata(jpeg: [0xFF], metadata: metadata)
        #expect(frame.prefix(8) == [0, 0, 0, 4, 0, 0, 0, 16])
        #expect(String(decoding: frame[8..<24], as: UTF8.self) == "{\"node_id\": \"2\"}")
    }
}
