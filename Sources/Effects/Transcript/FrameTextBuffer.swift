/// A text frame's bytes, unescaped out of a transcript line's JSON string into storage
/// reused from line to line.
///
/// Why not `JSONReader.readString(into:)`: a frame is JSON inside a JSON string, an
/// escaped quote every few bytes (`{\"type\": \"progress_state\", \"data\": …`), and
/// that reader finds the string's end first, zeroes room for it, then copies run by run
/// with a `memmove` per run of a few bytes: 10 % of `comfysh replay` of a long transcript
/// (docs/performance.md, "Replay"). Here it is one pass, eight bytes at a time: each word
/// is stored whole (the storage has room for the whole line and eight bytes more), and
/// only the bytes up to its first quote or backslash are kept. The same pass says whether
/// every byte is ASCII. `\u` escapes (the recorder writes ASCII JSON, so rare) and
/// anything malformed are left to `JSONReader`, whose result and errors are the reference.
final class FrameTextBuffer {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// The bytes of the last string read.
    private(set) var count = 0
    /// Whether they are all below 0x80 (false means "maybe not").
    private(set) var isASCII = true

    init(capacity: Int = 64 << 10) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    /// The bytes of the last string read, valid until the next read.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: storage, count: count) }

    /// Reads the string whose opening quote is at `quote` in `line`: its unescaped bytes
    /// become `bytes`. Returns the offset just past its closing quote, or nil when the
    /// string has a `\u` escape or is malformed (then `bytes` is not meaningful: the
    /// caller reads the string with `JSONReader`).
    func read(_ line: UnsafeBufferPointer<UInt8>, quote: Int) -> Int? {
        let n = line.count
        if capacity < n + 8 {
            storage.deallocate()
            capacity = max(n + 8, capacity * 2)
            storage = .allocate(capacity: capacity)
        }
        guard let src = line.baseAddress else { return nil }
        let raw = UnsafeRawPointer(src)
        let dst = UnsafeMutableRawPointer(storage)
        var i = quote + 1
        var o = 0
        var high: UInt64 = 0
        while true {
            // Copy up to the next quote or backslash.
            while i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                dst.storeBytes(of: w, toByteOffset: o, as: UInt64.self)
                let q = w ^ 0x2222_2222_2222_2222
                let b = w ^ 0x5C5C_5C5C_5C5C_5C5C
                let hit = ((q &- 0x0101_0101_0101_0101) & ~q | (b &- 0x0101_0101_0101_0101) & ~b) & 0x8080_8080_8080_8080
                if hit == 0 {
                    high |= w
                    i += 8
                    o += 8
                    continue
                }
                let k = hit.trailingZeroBitCount >> 3
                // The bytes before the hit; the rest of the word is written over later.
                high |= k == 0 ? 0 : w & (UInt64.max >> (64 - 8 * k))
                i += k
                o += k
                break
            }
            while i < n, src[i] != 0x22, src[i] != 0x5C {
                storage[o] = src[i]
                high |= UInt64(src[i])
                i += 1
                o += 1
            }
            guard i < n else { return nil }  // unterminated
            if src[i] == 0x22 {
                count = o
                isASCII = high & 0x8080_8080_8080_8080 == 0
                return i + 1
            }
            // A backslash: the escapes JSON has, but `\u` (and a bad escape) to the reader.
            guard i + 1 < n else { return nil }
            let byte: UInt8
            switch src[i + 1] {
            case 0x22: byte = 0x22  // \"
            case 0x5C: byte = 0x5C  // \\
            case 0x2F: byte = 0x2F  // \/
            case 0x62: byte = 0x08  // \b
            case 0x66: byte = 0x0C  // \f
            case 0x6E: byte = 0x0A  // \n
            case 0x72: byte = 0x0D  // \r
            case 0x74: byte = 0x09  // \t
            default: return nil
            }
            storage[o] = byte
            o += 1
            i += 2
        }
    }
}
