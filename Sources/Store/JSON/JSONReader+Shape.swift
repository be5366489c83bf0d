/// Reading a value as a `JSONShape` says: what is needed built, the rest checked.
extension JSONReader {
    /// Reads the next value as `shape` says (see `JSONShape`). Throws exactly when
    /// `readValue(depth:)` would, at the same `depth` (so give the depth of the value in
    /// its document when it is not the document).
    public mutating func readValue(shape: JSONShape, depth: Int = 0) throws(JSONError) -> JSONValue {
        switch shape {
        case .whole:
            return try readValue(depth: depth)
        case .skipped:
            try skipValueStrictly(depth: depth)
            return .null
        case .object(let members, let others):
            guard depth < Self.maxDepth else { throw JSONError("nested too deeply", at: pos) }
            guard peek() == UInt8(ascii: "{") else { return try readValue(depth: depth) }
            pos += 1
            var fields: [JSONField] = []
            var first = true
            while try nextMember(first: &first) {
                let key = try readKey()
                if let member = members.first(where: { key.matches($0.name) }) {
                    fields.append(JSONField(key.string, try readValue(shape: member.shape, depth: depth + 1)))
                } else if let others {
                    fields.append(JSONField(key.string, try readValue(shape: others, depth: depth + 1)))
                } else {
                    try skipValueStrictly(depth: depth + 1)
                }
            }
            return .object(fields)
        case .array(let elements, let rest):
            guard depth < Self.maxDepth else { throw JSONError("nested too deeply", at: pos) }
            guard peek() == UInt8(ascii: "[") else { return try readValue(depth: depth) }
            pos += 1
            var items: [JSONValue] = []
            var first = true
            while try nextElement(first: &first) {
                items.append(try readValue(shape: items.count < elements.count ? elements[items.count] : rest, depth: depth + 1))
            }
            return .array(items)
        }
    }

    /// Skips the next value, refusing what `readValue(depth:)` refuses: `skipValue()` does
    /// not look inside strings, this checks their escapes as decoding them would.
    public mutating func skipValueStrictly(depth: Int = 0) throws(JSONError) {
        try skipValue(depth: depth, strictly: true)
    }

    /// Moves past the string at `pos`, checking each escape as `unescape` would decode it:
    /// one of `"\/bfnrt`, or `u` and four hex digits (a surrogate's pair is two such).
    mutating func skipStringStrictly() throws(JSONError) {
        let start = pos
        pos += 1
        while pos < bytes.count {
            pos = quoteOrBackslash(from: pos)
            guard pos < bytes.count else { break }
            if bytes[pos] == UInt8(ascii: "\"") {
                pos += 1
                return
            }
            guard pos + 1 < bytes.count else { break }
            switch bytes[pos + 1] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                pos += 2
            case UInt8(ascii: "u"):
                _ = try hex4(at: pos + 2)
                pos += 6
            default:
                throw JSONError("invalid escape", at: pos + 1)
            }
        }
        throw JSONError("unterminated string", at: start)
    }
}
