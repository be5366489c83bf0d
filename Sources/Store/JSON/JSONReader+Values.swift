#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole values (read or skipped, depth-limited) and the typed helpers of the message
/// decoders.
extension JSONReader {

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
        try skipValue(depth: depth, strictly: false)
    }

    /// Skips any value; `strictly`, checking each string's escapes as decoding it would
    /// (`skipValueStrictly`), else only finding its end.
    mutating func skipValue(depth: Int, strictly: Bool) throws(JSONError) {
        guard depth < Self.maxDepth else { throw JSONError("nested too deeply", at: pos) }
        guard let c = peek() else { throw JSONError("unexpected end of input", at: pos) }
        switch c {
        case UInt8(ascii: "{"):
            pos += 1
            var first = true
            while try nextMember(first: &first) {
                _ = try readKey()
                try skipValue(depth: depth + 1, strictly: strictly)
            }
        case UInt8(ascii: "["):
            pos += 1
            var first = true
            while try nextElement(first: &first) { try skipValue(depth: depth + 1, strictly: strictly) }
        case UInt8(ascii: "\""):
            if strictly { try skipStringStrictly() } else { try skipString() }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try readNumber()
        }
    }

    mutating func skipString() throws(JSONError) {
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

    /// A prompt id (`readIDOrNull`), as `knownPromptID` itself when the bytes are its
    /// own. Why: every frame of a running prompt repeats its 36-byte id, and a fresh
    /// `String` each time was an allocation and a free per frame, and the reducer's
    /// comparisons of it byte by byte; the one string makes them a pointer check.
    mutating func readPromptIDOrNull() throws(JSONError) -> String? {
        if var known = knownPromptID, peek() == UInt8(ascii: "\"") {
            let start = pos
            if let raw = try? readRawString(),
                known.withUTF8({ k in k.count == raw.count && (k.count == 0 || memcmp(k.baseAddress!, raw.baseAddress!, k.count) == 0) })
            {
                return known
            }
            pos = start
        }
        return try readIDOrNull()
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
