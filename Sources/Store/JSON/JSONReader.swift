#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pull parser over UTF-8 bytes: the narrow fast piece on the decoder's hot path.
///
/// Why not `JSONDecoder`: measured on this machine it decodes ~100 k small ComfyUI
/// frames per second (slower than Python's `json.loads`), it rejects Python's
/// `NaN`/`Infinity` and the whole frame with them, and it builds every field whether
/// we need it or not. This reader lets each message decoder walk the object, match keys
/// against static byte strings without allocating, read only the fields it keeps and
/// skip the rest. `comfysh-bench decode` measures the difference (docs/performance.md).
///
/// It is only valid inside the `withUnsafeBufferPointer` scope that produced `bytes`.
public struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var pos: Int
    /// Nesting limit, so hostile input cannot exhaust the stack.
    public static let maxDepth = 256

    /// A reader of `bytes` from byte `start`.
    public init(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int = 0) {
        self.bytes = bytes
        self.pos = start
    }

    /// The byte offset of the next byte to read.
    public var offset: Int { pos }
    /// Every byte has been read.
    public var isAtEnd: Bool { pos >= bytes.count }
    
    /// Moves past spaces, tabs and line breaks.
    public mutating func skipWhitespace() {
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { pos += 1 } else { return }
        }
    }

    /// The next significant byte, or `nil` at the end.
    
    public mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < bytes.count ? bytes[pos] : nil
    }
    
    /// Moves past `byte` (after any whitespace); throws if the next byte is another.
    public mutating func expect(_ byte: UInt8) throws(JSONError) {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == byte else {
            throw JSONError("expected '\(Character(Unicode.Scalar(byte)))'", at: pos)
        }
        pos += 1
    }

    // MARK: Objects and arrays

    /// Call after `{` or `,`-separated members: returns false at `}`.
    /// Usage: `try r.expect(.openBrace); while try r.nextMember(first: &first) { key …; value … }`
    
    public mutating func nextMember(first: inout Bool) throws(JSONError) -> Bool {
        skipWhitespace()
        guard pos < bytes.count else { throw JSONError("unterminated object", at: pos) }
        if bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return false
        }
        if !first {
            guard bytes[pos] == UInt8(ascii: ",") else { throw JSONError("expected ',' or '}'", at: pos) }
            pos += 1
        }
        first = false
        return true
    }

    /// Like `nextMember` for arrays: returns false at `]`.
    
    public mutating func nextElement(first: inout Bool) throws(JSONError) -> Bool {
        skipWhitespace()
        guard pos < bytes.count else { throw JSONError("unterminated array", at: pos) }
        if bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return false
        }
        if !first {
            guard bytes[pos] == UInt8(ascii: ",") else { throw JSONError("expected ',' or ']'", at: pos) }
            pos += 1
        }
        first = false
        return true
    }

    /// Reads an object key and the `:` after it. Returns the key's raw bytes (between
    /// the quotes) when it has no escapes, which is the common case; `matches` compares
    /// them without allocating. Keys with escapes are decoded.
    public mutating func readKey() throws(JSONError) -> Key {
        skipWhitespace()
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw JSONError("expected a key", at: pos) }
        let start = pos + 1
        let i = quoteOrBackslash(from: start)
        if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
            pos = i + 1
            try expect(UInt8(ascii: ":"))
            return Key(raw: UnsafeBufferPointer(rebasing: bytes[start..<i]), decoded: nil)
        }
        let s = try readString()
        try expect(UInt8(ascii: ":"))
        return Key(raw: nil, decoded: s)
    }

    /// An object key as `readKey()` read it: raw bytes when it had no escapes, else decoded.
    public struct Key {
        let raw: UnsafeBufferPointer<UInt8>?
        let decoded: String?
        
        /// Compared byte by byte, inline: keys are a few bytes, and a call to memcmp per
        /// candidate key was most of matching one.
        @inline(__always)
        public func matches(_ literal: StaticString) -> Bool {
            if let raw {
                let n = literal.utf8CodeUnitCount
                guard raw.count == n else { return false }
                let l = literal.utf8Start
                for k in 0..<n where raw[k] != l[k] { return false }
                return true
            }
            return decoded == literal.description
        }

        /// The key as a `String` (made on demand: `matches` needs none).
        public var string: String {
            if let raw { return String(decoding: raw, as: UTF8.self) }
            return decoded ?? ""
        }
    }

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
    private func stringEnd(from i: Int) -> Int {
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
    private mutating func unescape(from i: Int, start: Int, into out: inout [UInt8]) throws(JSONError) {
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

    private func hex4(at i: Int) throws(JSONError) -> UInt32 {
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

    /// Reads a number, accepting Python's `NaN`, `Infinity` and `-Infinity`.
    public mutating func readNumber() throws(JSONError) -> Double {
        skipWhitespace()
        let start = pos
        var negative = false
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "I") {
            try literal("Infinity")
            return negative ? -.infinity : .infinity
        }
        if !negative, pos < bytes.count, bytes[pos] == UInt8(ascii: "N") {
            try literal("NaN")
            return .nan
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while pos < bytes.count, bytes[pos] &- 0x30 < 10 {
            if digits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(bytes[pos] &- 0x30)
                if mantissa != 0 { digits += 1 }
            } else {
                exponent += 1
            }
            sawDigit = true
            pos += 1
        }
        guard sawDigit else { throw JSONError("expected a number", at: start) }
        var slow = digits >= 19
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            var fractionDigit = false
            while pos < bytes.count, bytes[pos] &- 0x30 < 10 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[pos] &- 0x30)
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                } else {
                    slow = true
                }
                fractionDigit = true
                pos += 1
            }
            guard fractionDigit else { throw JSONError("expected digits after '.'", at: pos) }
        }
        if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            var expNegative = false
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") || bytes[pos] == UInt8(ascii: "+") {
                expNegative = bytes[pos] == UInt8(ascii: "-")
                pos += 1
            }
            var e = 0
            var expDigit = false
            while pos < bytes.count, bytes[pos] &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(bytes[pos] &- 0x30) }
                expDigit = true
                pos += 1
            }
            guard expDigit else { throw JSONError("expected exponent digits", at: pos) }
            exponent += expNegative ? -e : e
        }
        // Clinger's fast path: a mantissa below 2^53 and a power of ten that is exact in
        // a Double give a correctly rounded result with one multiply or divide.
        if !slow, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= Self.powersOfTen[-exponent] } else { value *= Self.powersOfTen[exponent] }
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        guard let value = Double(text) else { throw JSONError("number out of range", at: start) }
        return value
    }

    static let powersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    private mutating func literal(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= bytes.count, memcmp(bytes.baseAddress! + pos, word.utf8Start, n) == 0 else {
            throw JSONError("invalid literal", at: pos)
        }
        pos += n
    }

    /// Moves past `literal` when the bytes here are exactly it (no whitespace skipped);
    /// false, without moving, otherwise. For a decoder that knows the exact form a server
    /// writes (see `MessageDecoders.nodeProgress`).
    @inline(__always)
    public mutating func skip(literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard pos + n <= bytes.count else { return false }
        guard Self.equal(bytes.baseAddress! + pos, literal.utf8Start, n) else { return false }
        pos += n
        return true
    }

    /// Whether the `n` bytes at `a` and `b` are equal: eight at a time, inline (these are
    /// short runs; a call to memcmp cost more than the comparison).
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let x = UnsafeRawPointer(a)
        let y = UnsafeRawPointer(b)
        var k = 0
        while k + 8 <= n {
            if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != y.loadUnaligned(fromByteOffset: k, as: UInt64.self) {
                return false
            }
            k += 8
        }
        while k < n {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }

    /// Moves past a string whose bytes between the quotes are exactly `raw` (bytes without
    /// escapes, as `readRawString` and `Key` give them); false, without moving, otherwise.
    @inline(__always)
    public mutating func skip(quoted raw: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = raw.count
        guard pos + n + 2 <= bytes.count, bytes[pos] == 0x22, bytes[pos + n + 1] == 0x22 else { return false }
        if n > 0, !Self.equal(bytes.baseAddress! + pos + 1, raw.baseAddress!, n) { return false }
        pos += n + 2
        return true
    }

    /// `true` if the next value is `null` (and consumes it).
    public mutating func readNullIfPresent() throws(JSONError) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    // MARK: Whole values

    /// Reads any value into a `JSONValue` tree.
    public mutating func readValue(depth: Int = 0) throws(JSONError) -> JSONValue {
        guard depth < Self.maxDepth else { throw JSONError("nested too deeply", at: pos) }
        guard let c = peek() else { throw JSONError("unexpected end of input", at: pos) }
        switch c {
        case UInt8(ascii: "{"):
            pos += 1
            var fields: [JSONField] = []
            var first = true
            while try nextMember(first: &first) {
                let key = try readKey().string
                fields.append(JSONField(key, try readValue(depth: depth + 1)))
            }
            return .object(fields)
        case UInt8(ascii: "["):
            pos += 1
            var items: [JSONValue] = []
            var first = true
            while try nextElement(first: &first) { items.append(try readValue(depth: depth + 1)) }
            return .array(items)
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            return .number(try readNumber())
        }
    }

    /// Skips any value without building it.
    public mutating func skipValue(depth: Int = 0) throws(JSONError) {
        guard depth < Self.maxDepth else { throw JSONError("nested too deeply", at: pos) }
        guard let c = peek() else { throw JSONError("unexpected end of input", at: pos) }
        switch c {
        case UInt8(ascii: "{"):
            pos += 1
            var first = true
            while try nextMember(first: &first) {
                _ = try readKey()
                try skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            pos += 1
            var first = true
            while try nextElement(first: &first) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""):
            try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try readNumber()
        }
    }

    private mutating func skipString() throws(JSONError) {
        let start = pos
        pos += 1
        while pos < bytes.count {
            pos = quoteOrBackslash(from: pos)
            guard pos < bytes.count else { break }
            if bytes[pos] == UInt8(ascii: "\"") {
                pos += 1
                return
            }
            pos += 2
        }
        throw JSONError("unterminated string", at: start)
    }

    // MARK: Typed helpers used by the message decoders

    /// A string, or a number given where an id string is expected, or `null` → nil.
    public mutating func readIDOrNull() throws(JSONError) -> String? {
        switch peek() {
        case UInt8(ascii: "\""): return try readString()
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        default:
            let start = pos
            // An integer-valued number is an id; anything else (2.5, 1e300, NaN) is not.
            guard let n = Int(exactly: try readNumber()) else { throw JSONError("expected an id", at: start) }
            return String(n)
        }
    }

    /// A string, or `null` → nil.
    public mutating func readStringOrNull() throws(JSONError) -> String? {
        if try readNullIfPresent() { return nil }
        return try readString()
    }

    /// A number (Python's `NaN`/`Infinity` accepted), or `null` → nil.
    public mutating func readNumberOrNull() throws(JSONError) -> Double? {
        if try readNullIfPresent() { return nil }
        return try readNumber()
    }

    /// An array of ids (strings, or numbers normalised to strings).
    public mutating func readIDArray() throws(JSONError) -> [String] {
        if try readNullIfPresent() { return [] }
        try expect(UInt8(ascii: "["))
        var out: [String] = []
        var first = true
        while try nextElement(first: &first) {
            if let id = try readIDOrNull() { out.append(id) }
        }
        return out
    }

    /// The strings of an array (other elements skipped); `null` → empty.
    public mutating func readStringArray() throws(JSONError) -> [String] {
        if try readNullIfPresent() { return [] }
        try expect(UInt8(ascii: "["))
        var out: [String] = []
        var first = true
        while try nextElement(first: &first) {
            if peek() == UInt8(ascii: "\"") { out.append(try readString()) } else { try skipValue() }
        }
        return out
    }

    /// After the last value: only whitespace may follow.
    public mutating func expectEnd() throws(JSONError) {
        skipWhitespace()
        guard pos == bytes.count else { throw JSONError("trailing data", at: pos) }
    }
}

extension JSONValue {
    /// Parses a complete JSON document (Python's `NaN`/`Infinity` accepted).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSONValue {
        let result: Result<JSONValue, JSONError> =
            bytes.withContiguousStorageIfAvailable { buffer in parseBuffer(buffer) }
            ?? Array(bytes).withUnsafeBufferPointer { parseBuffer($0) }
        return try result.get()
    }

    /// Parses a complete JSON document given as text (Python's `NaN`/`Infinity` accepted).
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { parseBuffer($0) }
        return try result.get()
    }

    static func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, JSONError> {
        var reader = JSONReader(buffer)
        do throws(JSONError) {
            let value = try reader.readValue()
            try reader.expectEnd()
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}
