#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers (Python's `NaN` and `Infinity` too) and literals.
extension JSONReader {
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

    mutating func literal(_ word: StaticString) throws(JSONError) {
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
}
