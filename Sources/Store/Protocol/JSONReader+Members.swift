extension JSONReader {
    /// Walks an object's members, handing each key to `body`, which must consume the
    /// value (read it or `skipValue()`). `null` counts as an empty object: the protocol
    /// lets several objects be null (`status`, `output`, `parent_node_id`…).
    
    public mutating func members(_ body: (inout JSONReader, JSONReader.Key) throws(JSONError) -> Void)
        throws(JSONError)
    {
        if try readNullIfPresent() { return }
        try expect(UInt8(ascii: "{"))
        var first = true
        while try nextMember(first: &first) {
            let key = try readKey()
            try body(&self, key)
        }
    }

    /// Walks an array's elements; `body` must consume each one.
    
    public mutating func elements(_ body: (inout JSONReader) throws(JSONError) -> Void) throws(JSONError) {
        if try readNullIfPresent() { return }
        try expect(UInt8(ascii: "["))
        var first = true
        while try nextElement(first: &first) { try body(&self) }
    }
}
