/// Serialises `JSONValue` as compact JSON (the `--json` interfaces) or indented.
///
/// Numbers with no fractional part print without `.0`, as Python and the server do;
/// non-finite numbers (which JSON cannot represent) print as `null`.
public enum JSONWriter {
    /// `rounded`: numbers with at most four decimals, for people (`0.22`, not
    /// `0.22000000000000003`); machine output keeps every digit.
    public static func string(_ value: JSONValue, pretty: Bool = false, rounded: Bool = false) -> String {
        String(decoding: bytes(value, pretty: pretty, rounded: rounded), as: UTF8.self)
    }

    /// The same JSON as `string`, as UTF-8 bytes (what is written out: no `String` made).
    ///
    /// Why bytes: writing the state of a long replay (650 KB) into a `String` — a `String`
    /// per number, `+=` per piece — was 3% of `comfysh replay --json` (docs/performance.md).
    public static func bytes(_ value: JSONValue, pretty: Bool = false, rounded: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, indent: pretty ? 0 : nil, rounded: rounded)
        return out
    }

    static func write(_ value: JSONValue, into out: inout [UInt8], indent: Int?, rounded: Bool = false) {
        switch value {
        case .null: append("null", to: &out)
        case .bool(let b): append(b ? "true" : "false", to: &out)
        case .number(let d): number(rounded && d.isFinite && abs(d) < 1e12 ? (d * 10_000).rounded() / 10_000 : d, into: &out)
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                append("[]", to: &out)
                return
            }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent.map { $0 + 1 }, into: &out)
                write(item, into: &out, indent: indent.map { $0 + 1 }, rounded: rounded)
            }
            newline(indent, into: &out)
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            if fields.isEmpty {
                append("{}", to: &out)
                return
            }
            out.append(UInt8(ascii: "{"))
            for (i, field) in fields.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent.map { $0 + 1 }, into: &out)
                quote(field.key, into: &out)
                if indent == nil { out.append(UInt8(ascii: ":")) } else { append(": ", to: &out) }
                write(field.value, into: &out, indent: indent.map { $0 + 1 }, rounded: rounded)
            }
            newline(indent, into: &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    private static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private static func newline(_ indent: Int?, into out: inout [UInt8]) {
        guard let indent else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: 2 * indent))
    }

    /// `number(d)`'s text appended: whole numbers digit by digit, others as Swift prints
    /// them (the shortest form that reads back the same).
    static func number(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { return append("null", to: &out) }
        if d.rounded() == d, abs(d) < 9.0e15 {
            var n = Int(d)
            if n < 0 {
                out.append(UInt8(ascii: "-"))
                n = -n
            }
            // At most 16 digits below 9e15.
            var digits: (UInt64, UInt64) = (0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[15 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                    count += 1
                } while n > 0
                out.append(contentsOf: buffer[(16 - count)...])
            }
            return
        }
        var text = d.description
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    /// `quote(s, into:)` for bytes: the same escapes, byte by byte (every byte that needs
    /// one is ASCII, and no byte of a multi-byte character is below 0x80).
    static func quote(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { utf8 in
            var start = 0
            for i in 0..<utf8.count {
                let c = utf8[i]
                guard c == 0x22 || c == 0x5C || c < 0x20 else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                switch c {
                case 0x22: append("\\\"", to: &out)
                case 0x5C: append("\\\\", to: &out)
                case 0x0A: append("\\n", to: &out)
                case 0x0D: append("\\r", to: &out)
                case 0x09: append("\\t", to: &out)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    append("\\u00", to: &out)
                    out.append(hex.utf8Start[Int(c >> 4)])
                    out.append(hex.utf8Start[Int(c & 0xF)])
                }
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        out.append(0x22)
    }

    /// A number as JSON: `3`, not `3.0`; `null` for NaN and ±Infinity.
    public static func number(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d.rounded() == d, abs(d) < 9.0e15 { return String(Int(d)) }
        return "\(d)"
    }

    /// Appends `s` to `out` as a JSON string: quoted, with `"`, `\` and control characters
    /// escaped.
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        // Most strings need no escape: appended whole, not scalar by scalar (writing the
        // state of a long replay was a fourteenth of `comfysh replay --json`).
        if !s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// `s` as a JSON string, quoted and escaped: how messages quote a name that may hold
    /// anything.
    public static func quoted(_ s: String) -> String {
        var out = ""
        quote(s, into: &out)
        return out
    }
}
