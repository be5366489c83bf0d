/// Serialises `JSONValue` as compact JSON (the `--json` interfaces) or indented.
///
/// Numbers with no fractional part print without `.0`, as Python and the server do;
/// non-finite numbers (which JSON cannot represent) print as `null`.
public enum JSONWriter {
    /// `rounded`: numbers with at most four decimals, for people (`0.22`, not
    /// `0.22000000000000003`); machine output keeps every digit.
    public static func string(_ value: JSONValue, pretty: Bool = false, rounded: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(256)
        write(value, into: &out, indent: pretty ? 0 : nil, rounded: rounded)
        return out
    }

    static func write(_ value: JSONValue, into out: inout String, indent: Int?, rounded: Bool = false) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d): out += number(rounded && d.isFinite && abs(d) < 1e12 ? (d * 10_000).rounded() / 10_000 : d)
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(indent.map { $0 + 1 }, into: &out)
                write(item, into: &out, indent: indent.map { $0 + 1 }, rounded: rounded)
            }
            newline(indent, into: &out)
            out += "]"
        case .object(let fields):
            if fields.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, field) in fields.enumerated() {
                if i > 0 { out += "," }
                newline(indent.map { $0 + 1 }, into: &out)
                quote(field.key, into: &out)
                out += indent == nil ? ":" : ": "
                write(field.value, into: &out, indent: indent.map { $0 + 1 }, rounded: rounded)
            }
            newline(indent, into: &out)
            out += "}"
        }
    }

    private static func newline(_ indent: Int?, into out: inout String) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: "  ", count: indent)
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
