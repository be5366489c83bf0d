/// Key input decoded as it arrives, one byte at a time: libedit asks for one character, and
/// a character typed as several bytes may come in several reads. Bytes are held until they
/// make a character. A byte that cannot start one, or that breaks the one begun, makes a
/// single U+FFFD of everything held, itself included: bad input is seen at once (no waiting
/// for bytes that may never come) and costs no more than the byte that showed it.
struct UTF8Decoder {
    /// The start of a character, waiting for its other bytes.
    private(set) var pending: [UInt8] = []

    /// Between characters: no bytes held.
    var isEmpty: Bool { pending.isEmpty }

    /// Adds one byte; returns the code point it completes (U+FFFD for invalid input), or nil
    /// while more bytes are needed.
    mutating func add(_ byte: UInt8) -> UInt32? {
        pending.append(byte)
        switch Self.decode(pending) {
        case .incomplete:
            return nil
        case .scalar(let value):
            pending = []
            return value
        case .invalid:
            pending = []
            return 0xFFFD
        }
    }

    enum Decoded: Equatable { case scalar(UInt32), incomplete, invalid }

    /// What `bytes` (the start of one character) are so far. A continuation byte is checked as
    /// soon as it arrives, so a broken sequence is seen without waiting for bytes that may
    /// never come; overlong forms and surrogates are left to the standard library's decoder.
    static func decode(_ bytes: [UInt8]) -> Decoded {
        guard let first = bytes.first else { return .incomplete }
        let length: Int
        switch first {
        case 0x00...0x7F: return .scalar(UInt32(first))
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return .invalid
        }
        if let last = bytes.last, bytes.count > 1, last & 0xC0 != 0x80 { return .invalid }
        if bytes.count < length { return .incomplete }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) { return .scalar(scalar.value) }
        return .invalid
    }
}
