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
    /// A prompt id the caller already holds (the one running): `readPromptIDOrNull`
    /// returns this very string when the bytes spell it (see there).
    var knownPromptID: String?
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
}
