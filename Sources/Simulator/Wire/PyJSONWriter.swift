/// Serialises `PyJSON` exactly as Python's `json.dumps` does with its defaults, which
/// is what ComfyUI (through aiohttp) puts on the wire:
///
/// * separators `", "` and `": "` (`{"type": "status", "data": {...}}`);
/// * `ensure_ascii`: every character outside printable ASCII is written as a lowercase
///   `\uXXXX` escape, with surrogate pairs above the BMP;
/// * floats in `repr` form (`0.0`, `0.2`, `1e-05`), `NaN` / `Infinity` bare.
///
/// Clients must accept compact JSON too, but matching the server byte for byte means a
/// frame the simulator sends decodes exactly like a recorded one.
extension PyJSON {
    var serialized: String {
        var out = ""
        out.reserveCapacity(128)
        PyJSONWriter.write(self, into: &out)
        return out
    }
}

enum PyJSONWriter {
    static func write(_ value: PyJSON, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += pythonRepr(d)
        case .string(let s): quote(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, field) in fields.enumerated() {
                if i > 0 { out += ", " }
                quote(field.key, into: &out)
                out += ": "
                write(field.value, into: &out)
            }
            out += "}"
        }
    }

    /// Python's `repr(float)`. Swift's `description` is also the shortest round-trip
    /// form and switches to exponents at the same points (`1e-05`, `1e+16`); only the
    /// non-finite spellings differ.
    static func pythonRepr(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return d.description
    }

    /// Python's `str()` of a number, as it appears inside messages such as
    /// "Value 0 smaller than min of 1".
    static func pythonStr(_ value: PyJSON) -> String {
        switch value {
        case .int(let i): String(i)
        case .float(let d): d.isNaN ? "nan" : d.isInfinite ? (d < 0 ? "-inf" : "inf") : d.description
        case .string(let s): s
        case .bool(let b): b ? "True" : "False"
        case .null: "None"
        default: value.serialized
        }
    }

    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case " "..."~": out.unicodeScalars.append(scalar)
            default:
                if scalar.value > 0xFFFF {
                    // UTF-16 surrogate pair, as Python writes it.
                    let v = scalar.value - 0x10000
                    hex4(0xD800 + (v >> 10), into: &out)
                    hex4(0xDC00 + (v & 0x3FF), into: &out)
                } else {
                    hex4(scalar.value, into: &out)
                }
            }
        }
        out += "\""
    }

    private static func hex4(_ value: UInt32, into out: inout String) {
        let hex = String(value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
