import Foundation
@testable import ComfyCore
import Testing

@Suite struct JSONReaderTests {
    @Test(arguments: [
        ("0", 0.0), ("-0.5", -0.5), ("1e3", 1000.0), ("1E-2", 0.01), ("2.5e+1", 25.0),
        ("104857600", 104_857_600.0), ("104857600.0", 104_857_600.0), ("1795849550273", 1_795_849_550_273.0),
        ("0.1", 0.1), ("0.2", 0.2), ("123456789012345678901234567890", 1.2345678901234568e29),
        ("3.141592653589793238462643383279", 3.141592653589793), ("1e-400", 0.0), ("9007199254740993", 9007199254740992.0),
    ])
    func numbersParseExactlyAsStrtodWould(text: String, expected: Double) throws {
        #expect(try JSONValue.parse(text) == .number(expected))
    }

    @Test func pythonNonFiniteTokens() throws {
        #expect(try JSONValue.parse("[NaN, Infinity, -Infinity]").arrayValue?.map { $0.doubleValue!.isNaN } == [true, false, false])
        #expect(try JSONValue.parse("Infinity") == .number(.infinity))
        #expect(try JSONValue.parse("-Infinity") == .number(-.infinity))
    }

    @Test func randomNumbersRoundTripLikeFoundation() throws {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (rng.next() & 1 == 0 ? 1 : -1)
            let text = "\(d)"
            #expect(try JSONValue.parse(text) == .number(Double(text)!), "\(text)")
        }
    }

    @Test func stringsAndEscapes() throws {
        #expect(try JSONValue.parse(#""a\nb\t\"\\\/\u0041\u00e9\u20ac\ud83d\ude00""#) == .string("a\nb\t\"\\/Aé€😀"))
        #expect(try JSONValue.parse(#""\ud800x""#) == .string("\u{FFFD}x"))  // lone surrogate
        #expect(try JSONValue.parse("\"café ✓\"") == .string("café ✓"))
    }

    @Test func objectsKeepKeyOrder() throws {
        let v = try JSONValue.parse(#"{"b": 1, "a": [true, false, null], "c": {}}"#)
        #expect(v.objectValue?.map(\.key) == ["b", "a", "c"])
        #expect(v["a"] == [true, false, nil])
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "01x", "-", "1.", "1e", "[1 2]", "{\"a\":1,}", "\"\\x\"", "nul"])
    func malformedInputThrows(text: String) {
        #expect(throws: JSONError.self) { try JSONValue.parse(text) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try JSONValue.parse(ok) }
    }

    @Test func writerRoundTrips() throws {
        let v = try JSONValue.parse(#"{"s":"a\"\n\u0001","n":[1,2.5,-3,1e21],"o":{"x":null,"b":false}}"#)
        #expect(JSONWriter.string(v) == #"{"s":"a\"\n\u0001","n":[1,2.5,-3,1e+21],"o":{"x":null,"b":false}}"#)
        #expect(try JSONValue.parse(JSONWriter.string(v)) == v)
        #expect(try JSONValue.parse(JSONWriter.string(v, pretty: true)) == v)
        #expect(JSONWriter.string(.number(.nan)) == "null")
    }

    @Test func agreesWithFoundationOnEveryRecordedFrame() throws {
        let (texts, _) = try Fixture.incomingFrames()
        for text in texts {
            let ours = try JSONValue.parse(text)
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8))
            #expect(ours.sortingKeys == JSONValue(foundation: theirs), "\(text.prefix(80))")
        }
    }
}

extension JSONValue {
    /// Foundation's view of the same document, for cross-checking.
    init(foundation value: Any) {
        switch value {
        case is NSNull: self = .null
        case let n as NSNumber where String(cString: n.objCType) == "c": self = .bool(n.boolValue)
        case let n as NSNumber: self = .number(n.doubleValue)
        case let s as String: self = .string(s)
        case let a as [Any]: self = .array(a.map(JSONValue.init(foundation:)))
        case let d as [String: Any]: self = .object(d.keys.sorted().map { JSONField($0, JSONValue(foundation: d[$0]!)) })
        default: self = .null
        }
    }
}

extension JSONValue {
    /// The same value with every object's keys sorted (Foundation does not keep order).
    var sortingKeys: JSONValue {
        switch self {
        case .array(let a): .array(a.map(\.sortingKeys))
        case .object(let o): .object(o.sorted { $0.key < $1.key }.map { JSONField($0.key, $0.value.sortingKeys) })
        default: self
        }
    }
}

/// A small deterministic generator, so property tests are reproducible: the one of every
/// StoreTests suite (this target does not link ComfySimulator's `SeededRandom`, the same
/// algorithm).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
