#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ComfyCore

/// An incoming frame line exactly as the recorder writes it, read by matching its fixed
/// parts: `{"t":<number>,"conn":<whole number>,"dir":"in","kind":"text","text":"…"}` or
/// `…"kind":"binary","b64":"…"}`.
///
/// Why: nearly every line of a transcript has this form, and walking it as an object
/// (a closure per member, each key compared against six) was a third of the line's scan.
/// The frame's fields are read as the general scan reads them (`readNumber`,
/// `FrameTextBuffer`, the raw base64), and anything else — another key order, spaces, an
/// escape in the base64, a `\u` in the text — is left to that scan, so what is taken
/// gives the same frame.
extension TranscriptLineDecoder {
    mutating func recorded(_ line: UnsafeBufferPointer<UInt8>) -> Frame? {
        guard let base = line.baseAddress else { return nil }
        let n = line.count
        func matches(_ literal: StaticString, at i: Int) -> Bool {
            let k = literal.utf8CodeUnitCount
            return i + k <= n && memcmp(base + i, literal.utf8Start, k) == 0
        }
        func isNumberStart(_ i: Int) -> Bool {
            i < n && (base[i] == UInt8(ascii: "-") || base[i] &- 0x30 < 10)
        }
        guard matches(#"{"t":"#, at: 0), isNumberStart(5) else { return nil }
        var r = JSONReader(line, at: 5)
        guard let t = try? r.readNumber() else { return nil }
        var i = r.offset
        guard matches(#","conn":"#, at: i), isNumberStart(i + 8) else { return nil }
        r = JSONReader(line, at: i + 8)
        // The reader's rule for a socket number (`JSONValue.intValue`).
        guard let conn = try? r.readNumber(), conn.isFinite, conn.rounded() == conn, abs(conn) < 9.0e15 else { return nil }
        i = r.offset
        guard matches(#","dir":"in","kind":""#, at: i) else { return nil }
        i += 20
        let end: Int
        let base64: Range<Int>?
        if matches(#"text","text":""#, at: i) {
            guard let past = frameText.read(line, quote: i + 13) else { return nil }
            textInFrameText = true
            end = past
            base64 = nil
        } else if matches(#"binary","b64":""#, at: i) {
            // The closing quote, with no backslash before it (memchr: the base64 is most
            // of a preview's line).
            let start = i + 15
            guard start <= n, let quote = memchr(base + start, 0x22, n - start) else { return nil }
            let j = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
            guard memchr(base + start, 0x5C, j - start) == nil else { return nil }
            end = j + 1
            base64 = start..<j
        } else {
            return nil
        }
        // The closing brace, then only what the reader skips as whitespace.
        guard end < n, base[end] == UInt8(ascii: "}") else { return nil }
        for k in (end + 1)..<n where !(base[k] == 0x20 || base[k] == 0x0D || base[k] == 0x09 || base[k] == 0x0A) {
            return nil
        }
        return Frame(t: t, base64: base64)
    }
}
