import Foundation
import ComfyCore

/// Turns transcript lines (bytes, as `TranscriptFile` hands them over) straight into the
/// actions `TranscriptActions.actions(for:in:)` gives for their entries.
///
/// Why a fast path: an incoming frame line (nearly every line of a long transcript) went
/// through a whole `JSONValue` tree of the line, a `String` of the frame, a
/// `TranscriptEntry`, and for binary frames a base64 `String` and Foundation's decoder,
/// then an array of one action. Here such a line is read once with `JSONReader`: the
/// frame's text is unescaped into a buffer reused from line to line and decoded from
/// there, a binary frame's base64 is decoded into another. Any other line, and any line
/// the fast path is not sure of (an unknown or repeated key, an unexpected type), goes
/// through `TranscriptReader.entry` and `TranscriptActions`, so the results — actions
/// and error messages — are the same as theirs (`TranscriptStreamTests` checks it).
public struct TranscriptLineDecoder {
    /// A text frame's unescaped bytes, reused from line to line (`FrameTextBuffer`)…
    let frameText = FrameTextBuffer()
    /// …or, for a frame with `\u` escapes, read by `JSONReader` into this.
    private var text: [UInt8] = []
    /// Which of the two holds the last text frame.
    var textInFrameText = false
    /// The frames' decoder, remembering the last `progress_state` (a transcript of a large
    /// graph is mostly snapshots that differ in an entry or two).
    private var frames = StreamDecoder()
    /// A binary frame's decoded bytes, reused.
    private var binary: [UInt8] = []

    /// A decoder with its buffers ready (64 KiB each, grown when needed).
    public init() {
        binary.reserveCapacity(64 << 10)
    }

    /// Calls `emit` with the actions of `line` (line number `number`). Binary progress
    /// text depends on what the server negotiated: `progressTextMetadata` is the state's
    /// `connection.progressTextMetadata` (a flag, not the state, so that `emit` can apply
    /// the action to the state without a second reference making the write copy it).
    public mutating func actions(
        line: UnsafeBufferPointer<UInt8>, number: Int, progressTextMetadata: Bool, _ emit: (ComfyAction) -> Void
    ) throws(TranscriptError) {
        if let action = fast(line, progressTextMetadata) ?? Self.http(line) {
            emit(action)
            return
        }
        if let actions = Self.socketOrNote(line) {
            for action in actions { emit(action) }
            return
        }
        let entry = try TranscriptReader.entry(line, number: number)
        for action in TranscriptActions.actions(for: entry, progressTextMetadata: progressTextMetadata) { emit(action) }
    }

    /// Whether `line` is a transcript line: the fast path's check, else the reader's.
    public mutating func check(line: UnsafeBufferPointer<UInt8>, number: Int) throws(TranscriptError) {
        if scan(line) != nil { return }
        _ = try TranscriptReader.entry(line, number: number)
    }

    /// What the fast path read of a frame line.
    struct Frame {
        var t: Double
        /// A binary frame's base64, as a range of the line; nil for a text frame (its
        /// bytes are in `text`).
        var base64: Range<Int>?
    }

    /// A frame line read in one pass: `{"t":…,"conn":N,"dir":"in","kind":"text"|"binary",
    /// "text"|"b64":…}` in any order, each key once, nothing else; nil for anything else
    /// (the general path then reads it, and reports its errors).
    private mutating func scan(_ line: UnsafeBufferPointer<UInt8>) -> Frame? {
        if let frame = recorded(line) { return frame }
        var r = JSONReader(line)
        var t: Double?
        var seen: UInt8 = 0  // one bit per key
        var kind = 0  // 1 text, 2 binary
        var base64: Range<Int>?
        var outgoing = false
        do throws(JSONError) {
            guard r.peek() == UInt8(ascii: "{") else { return nil }
            try r.members { r, key throws(JSONError) in
                let bit: UInt8
                if key.matches("t") {
                    bit = 1
                    guard let c = r.peek(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw Self.notFast }
                    t = try r.readNumber()
                } else if key.matches("conn") {
                    bit = 2
                    guard let c = r.peek(), c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw Self.notFast }
                    // The reader's rule (`JSONValue.intValue`).
                    let d = try r.readNumber()
                    guard d.isFinite, d.rounded() == d, abs(d) < 9.0e15 else { throw Self.notFast }
                } else if key.matches("dir") {
                    bit = 4
                    guard r.peek() == UInt8(ascii: "\""), let raw = try r.readRawString() else { throw Self.notFast }
                    outgoing = raw.count == 3 && raw[0] == UInt8(ascii: "o") && raw[1] == UInt8(ascii: "u") && raw[2] == UInt8(ascii: "t")
                } else if key.matches("kind") {
                    bit = 8
                    guard r.peek() == UInt8(ascii: "\""), let raw = try r.readRawString() else { throw Self.notFast }
                    if raw.count == 4, memcmp(raw.baseAddress!, ("text" as StaticString).utf8Start, 4) == 0 {
                        kind = 1
                    } else if raw.count == 6, memcmp(raw.baseAddress!, ("binary" as StaticString).utf8Start, 6) == 0 {
                        kind = 2
                    } else {
                        throw Self.notFast
                    }
                } else if key.matches("text") {
                    bit = 16
                    guard r.peek() == UInt8(ascii: "\"") else { throw Self.notFast }
                    if let end = frameText.read(line, quote: r.offset) {
                        r = JSONReader(line, at: end)
                        textInFrameText = true
                    } else {
                        try r.readString(into: &text)
                        textInFrameText = false
                    }
                } else if key.matches("b64") {
                    bit = 32
                    guard r.peek() == UInt8(ascii: "\""), let raw = try r.readRawString() else { throw Self.notFast }
                    let end = r.offset - 1  // the closing quote
                    base64 = (end - raw.count)..<end
                } else {
                    throw Self.notFast
                }
                guard seen & bit == 0 else { throw Self.notFast }
                seen |= bit
            }
            try r.expectEnd()
        } catch {
            return nil
        }
        // conn and kind are required; the frame's own field must be there; only incoming
        // text frames (outgoing ones are parsed as JSON values: rare, the general path).
        guard seen & 2 != 0, kind != 0 else { return nil }
        switch kind {
        case 1:
            guard seen & 16 != 0, !outgoing else { return nil }
            return Frame(t: t ?? 0, base64: nil)
        default:
            guard let base64 else { return nil }
            return Frame(t: t ?? 0, base64: base64)
        }
    }

    static let notFast = JSONError("not a fast-path line", at: 0)

    private mutating func fast(_ line: UnsafeBufferPointer<UInt8>, _ progressTextMetadata: Bool) -> ComfyAction? {
        guard let frame = scan(line) else { return nil }
        let at = Timestamp(seconds: frame.t)
        guard let range = frame.base64 else {
            if textInFrameText {
                if frameText.isASCII { return frames.decode(utf8: frameText.bytes, at: at) }
                return frames.decode(text: String(decoding: frameText.bytes, as: UTF8.self), at: at)
            }
            // The bytes `String(decoding:)` would keep: the same when they are ASCII (the
            // recorder writes JSON with ASCII escapes); anything else through the String.
            if Self.isASCII(text) {
                return text.withUnsafeBufferPointer { frames.decode(utf8: $0, at: at) }
            }
            return frames.decode(text: String(decoding: text, as: UTF8.self), at: at)
        }
        let layout: BinaryDecoder.ProgressTextLayout = progressTextMetadata ? .withPromptID : .released
        let encoded = UnsafeBufferPointer(rebasing: line[range])
        if Base64.decode(encoded, into: &binary) {
            return binary.withUnsafeBufferPointer { BinaryDecoder.decode(bytes: $0, at: at, layout: layout) }
        }
        // Not in the strict form this decoder takes: Foundation's decoder decides, as in
        // `TranscriptReader.entry`.
        guard let data = Data(base64Encoded: String(decoding: encoded, as: UTF8.self)) else {
            return ComfyAction(at: at, .protocolError(ProtocolError(reason: "binary frame with invalid base64", excerpt: "")))
        }
        return BinaryDecoder.decode([UInt8](data), at: at, layout: layout)
    }

    /// Whether every byte is below 0x80 (eight at a time).
    static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var i = 0
            let n = raw.count
            while i + 8 <= n {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
            while i < n {
                if raw[i] >= 0x80 { return false }
                i += 1
            }
            return true
        }
    }
}

/// Standard base64 (RFC 4648, with padding), strictly: length a multiple of 4, `=` only
/// as the last one or two characters, unused bits zero. What it refuses, Foundation's
/// decoder is asked about (so anything Foundation takes is still taken).
enum Base64 {
    /// 0–63 for the alphabet, 0xFF for anything else.
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = UInt8(i) }
        return t
    }()

    /// Decodes `input` into `out` (replacing its contents); false if it is not strict base64.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Bool {
        let n = input.count
        guard n % 4 == 0 else { return false }
        out.removeAll(keepingCapacity: true)
        guard n > 0 else { return true }
        var padding = 0
        if input[n - 1] == UInt8(ascii: "=") { padding = input[n - 2] == UInt8(ascii: "=") ? 2 : 1 }
        let size = n / 4 * 3 - padding
        var ok = true
        out.append(contentsOf: repeatElement(0, count: size))  // keeps the buffer's capacity
        table.withUnsafeBufferPointer { table in
            out.withUnsafeMutableBufferPointer { buffer in
                var o = 0
                var i = 0
                let full = padding > 0 ? n - 4 : n
                var bad: UInt8 = 0
                while i < full {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    let c = table[Int(input[i + 2])], d = table[Int(input[i + 3])]
                    bad |= a | b | c | d
                    buffer[o] = a << 2 | b >> 4
                    buffer[o + 1] = b << 4 | c >> 2
                    buffer[o + 2] = c << 6 | d
                    o += 3
                    i += 4
                }
                if padding > 0 {
                    let a = table[Int(input[i])], b = table[Int(input[i + 1])]
                    bad |= a | b
                    buffer[o] = a << 2 | b >> 4
                    if padding == 1 {
                        let c = table[Int(input[i + 2])]
                        bad |= c
                        buffer[o + 1] = b << 4 | c >> 2
                        if c & 0x3 != 0 { bad = 0xFF }
                    } else if b & 0xF != 0 {
                        bad = 0xFF
                    }
                }
                ok = bad & 0xC0 == 0
            }
        }
        return ok
    }
}
