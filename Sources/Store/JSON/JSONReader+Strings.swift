/// Strings: read in place when they have no escapes, unescaped (with surrogate pairs)
/// when they do.
extension JSONReader {
    // MARK: Scalars

    /// The bytes between the quotes of the next string, when it has no escapes (and then
    /// moves past it); nil, without moving, when it has escapes. For matching a value
    /// against known strings without making one.
    public mutating func readRawString() throws(JSONError) -> UnsafeBufferPointer<UInt8>? {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw JSONError("expected a string", at: pos) }
        let i = quoteOrBackslash(from: pos + 1)
        guard i < bytes.count else { throw JSONError("unterminated string", at: pos) }
        if bytes[i] == UInt8(ascii: "\\") { return nil }
        let raw = UnsafeBufferPointer(rebasing: bytes[(pos + 1)..<i])
        pos = i + 1
        return raw
    }

    /// Reads a string, escapes decoded.
    public mutating func readString() throws(JSONError) -> String {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw JSONError("expected a string", at: pos) }
        let start = pos + 1
        // Fast path: no escapes, so the bytes between the quotes are the string.
        let i = quoteOrBackslash(from: start)
        guard i < bytes.count else { throw JSONError("unterminated string", at: start - 1) }
        if bytes[i] == UInt8(ascii: "\"") {
            pos = i + 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<i]))
        try unescape(from: i, start: start, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads the next string into `out` (emptied first; its capacity is kept), escapes
    /// decoded: the bytes `readString()` would make a `String` of. For a caller that reads
    /// many strings and only needs their bytes (a transcript line's frame, decoded next),
    /// so no `String` and no new buffer is made per string.
    public mutating func readString(into out: inout [UInt8]) throws(JSONError) {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw JSONError("expected a string", at: pos) }
        out.removeAll(keepingCapacity: true)
        let start = pos + 1
        try unescape(from: start, start: start, into: &out)
    }

    /// The index of the quote that closes the string `i` is in (escapes skipped), or the
    /// input's end when it is not closed.
    func stringEnd(from i: Int) -> Int {
        var k = i
        while k < bytes.count {
            let j = quoteOrBackslash(from: k)
            guard j < bytes.count, bytes[j] == UInt8(ascii: "\\") else { return min(j, bytes.count) }
            k = j + 2
        }
        return bytes.count
    }

    /// Appends the string's bytes from `i` (after its opening quote at `start - 1`) to
    /// `out`, decoding escapes, and moves past the closing quote.
    ///
    /// Written into `out`'s storage through a pointer: the output is never longer than
    /// the input, so room for the rest of the input is made once and the unused tail cut
    /// at the end. (Appending run by run was a sixth of `comfysh replay`, whose frames
    /// are JSON inside a JSON string: an escaped quote every few bytes.)
    mutating func unescape(from i: Int, start: Int, into out: inout [UInt8]) throws(JSONError) {
        let base = out.count
        // Room for this string only (up to its closing quote): room for the rest of the
        // input was quadratic on a large document with many escaped strings (a node
        // catalogue: 1.5 MB made and zeroed per tooltip with a newline).
        let room = stringEnd(from: i) - i
        out.append(contentsOf: repeatElement(0, count: room))
        var written = 0
        var failure: JSONError?
        out.withUnsafeMutableBufferPointer { buffer in
            let dst = buffer.baseAddress! + base
            var i = i
            var o = 0
            defer { written = o }
            while i < bytes.count {
                // The run up to the next quote or backslash, at once.
                let j = quoteOrBackslash(from: i)
                if j > i {
                    (dst + o).update(from: bytes.baseAddress! + i, count: j - i)
                    o += j - i
                    i = j
                }
                guard i < bytes.count else { break }
                if bytes[i] == UInt8(ascii: "\"") {
                    pos = i + 1
                    return
                }
                i += 1
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): dst[o] = 0x22
                case UInt8(ascii: "\\"): dst[o] = 0x5C
                case UInt8(ascii: "/"): dst[o] = 0x2F
                case UInt8(ascii: "b"): dst[o] = 0x08
                case UInt8(ascii: "f"): dst[o] = 0x0C
                case UInt8(ascii: "n"): dst[o] = 0x0A
                case UInt8(ascii: "r"): dst[o] = 0x0D
                case UInt8(ascii: "t"): dst[o] = 0x09
                case UInt8(ascii: "u"):
                    do throws(JSONError) {
                        var scalar = try hex4(at: i)
                        i += 4
                        // A high surrogate followed by \uDC00–\uDFFF is one scalar; a lone
                        // surrogate becomes U+FFFD rather than an error (Python emits them).
                        if (0xD800..<0xDC00).contains(scalar), i + 5 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                            bytes[i + 1] == UInt8(ascii: "u")
                        {
                            let low = try hex4(at: i + 2)
                            if (0xDC00..<0xE000).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                i += 6
                            }
                        }
                        // At most 4 bytes, from at least 6 of input: it fits.
                        for byte in (Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8 {
                            dst[o] = byte
                            o += 1
                        }
                        continue
                    } catch {
                        failure = error
                        return
                    }
                default:
                    failure = JSONError("invalid escape", at: i - 1)
                    return
                }
                o += 1
            }
            failure = JSONError("unterminated string", at: start - 1)
        }
        out.removeLast(room - written)
        if let failure { throw failure }
    }

    /// The index of the first `"` or `\` at or after `i`, or `bytes.count`: eight bytes
    /// at a time (a byte equal to either makes a zero byte in the word XORed with it, and
    /// the lowest such byte is found exactly). The scan every string goes through.
    @inline(__always)
    func quoteOrBackslash(from i: Int) -> Int {
        var i = i
        let n = bytes.count
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= n {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let q = w ^ 0x2222_2222_2222_2222
                let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let hit = ((q &- 0x0101_0101_0101_0101) & ~q | (b &- 0x0101_0101_0101_0101) & ~b) & 0x8080_8080_8080_8080
                if hit != 0 { return i + hit.trailingZeroBitCount >> 3 }
                i += 8
            }
        }
        while i < n {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return i }
            i += 1
        }
        return n
    }

    func hex4(at i: Int) throws(JSONError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw JSONError("truncated \\u escape", at: i) }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = bytes[i + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw JSONError("invalid \\u escape", at: i + k)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
