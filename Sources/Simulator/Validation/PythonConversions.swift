/// The conversions ComfyUI's validator applies to literal inputs (`int(val)`,
/// `float(val)`, `str(val)`, `bool(val)`), with Python's error messages, because those
/// messages end up verbatim in `node_errors` (`"invalid literal for int() with base 10: 'ten'"`).
enum PythonConversions {
    struct Failure: Error {
        let message: String
    }

    static func int(_ value: PyJSON) throws(Failure) -> PyJSON {
        switch value {
        case .int: return value
        case .bool(let b): return .int(b ? 1 : 0)
        case .float(let d):
            if d.isNaN { throw Failure(message: "cannot convert float NaN to integer") }
            if d.isInfinite { throw Failure(message: "cannot convert float infinity to integer") }
            guard let i = Int(exactly: d.rounded(.towardZero)) else { return .float(d.rounded(.towardZero)) }
            return .int(i)
        case .string(let s):
            let body = digitsBody(s.trimmingPythonWhitespace)
            if let body, let i = Int(body) { return .int(i) }
            throw Failure(message: "invalid literal for int() with base 10: \(repr(s))")
        default:
            throw Failure(message: "int() argument must be a string, a bytes-like object or a real number, not '\(typeName(value))'")
        }
    }

    static func float(_ value: PyJSON) throws(Failure) -> PyJSON {
        switch value {
        case .float: return value
        case .int(let i): return .float(Double(i))
        case .bool(let b): return .float(b ? 1 : 0)
        case .string(let s):
            let trimmed = s.trimmingPythonWhitespace
            switch trimmed.lowercased() {
            case "inf", "+inf", "infinity", "+infinity": return .float(.infinity)
            case "-inf", "-infinity": return .float(-.infinity)
            case "nan", "+nan", "-nan": return .float(.nan)
            default: break
            }
            let plain = trimmed.replacingUnderscoresBetweenDigits
            if let plain, !plain.isEmpty, plain.allSatisfy({ "0123456789+-.eE".contains($0) }), let d = Double(plain) {
                return .float(d)
            }
            throw Failure(message: "could not convert string to float: \(repr(s))")
        default:
            throw Failure(message: "float() argument must be a string or a real number, not '\(typeName(value))'")
        }
    }

    static func str(_ value: PyJSON) -> PyJSON {
        if case .string = value { return value }
        return .string(PyJSONWriter.pythonStr(value))
    }

    static func bool(_ value: PyJSON) -> PyJSON { .bool(value.isTruthy) }

    /// Python's `repr()` of a string: single quotes unless the text holds one and no
    /// double quote.
    static func repr(_ s: String) -> String {
        let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        var out = String(quote)
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case quote: out += "\\\(quote)"
            default: out.append(ch)
            }
        }
        out.append(quote)
        return out
    }

    /// Python's `repr()` of a dictionary key, as `str(KeyError(key))` prints it.
    static func keyRepr(_ value: PyJSON) -> String {
        if case .string(let s) = value { return repr(s) }
        return PyJSONWriter.pythonStr(value)
    }

    static func typeName(_ value: PyJSON) -> String {
        switch value {
        case .null: "NoneType"
        case .bool: "bool"
        case .int: "int"
        case .float: "float"
        case .string: "str"
        case .array: "list"
        case .object: "dict"
        }
    }

    /// `"+1_000"` → `"+1000"`; nil when the text is not a base-10 integer literal.
    private static func digitsBody(_ s: String) -> String? {
        var body = Substring(s)
        var sign = ""
        if let first = body.first, first == "+" || first == "-" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard let plain = String(body).replacingUnderscoresBetweenDigits, !plain.isEmpty,
            plain.allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        return sign + plain
    }
}

extension String {
    fileprivate var trimmingPythonWhitespace: String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        var s = Substring(self)
        while let f = s.first, ws.contains(f) { s = s.dropFirst() }
        while let l = s.last, ws.contains(l) { s = s.dropLast() }
        return String(s)
    }

    /// Python allows single underscores between digits (`1_000`); nil when misplaced.
    fileprivate var replacingUnderscoresBetweenDigits: String? {
        guard contains("_") else { return self }
        let chars = Array(self)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c == "_" {
                guard i > 0, i < chars.count - 1, chars[i - 1].isNumber, chars[i + 1].isNumber else { return nil }
                continue
            }
            out.append(c)
        }
        return out
    }
}
