import ComfyCore

/// A JSON value as the ComfyUI server (Python) holds it: integers and floats are
/// different types there, and the wire shows it (`"value": 0.0` when a node starts,
/// `"value": 1` for a cached output). ComfyCore's `JSONValue` keeps every number as a
/// `Double`, which cannot say "write `1.0`, not `1`", so the simulator builds its
/// messages with this type and converts at the edges.
enum PyJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case array([PyJSON])
    /// Ordered, like a Python `dict`: the server's key order is visible on the wire.
    case object([PyField])
}

struct PyField: Sendable, Equatable {
    var key: String
    var value: PyJSON
    init(_ key: String, _ value: PyJSON) {
        self.key = key
        self.value = value
    }
}

extension PyJSON {
    /// Builds an object from literal pairs, keeping their order.
    static func object(_ pairs: KeyValuePairs<String, PyJSON>) -> PyJSON {
        .object(pairs.map { PyField($0.key, $0.value) })
    }

    static let emptyObject = PyJSON.object([PyField]())

    subscript(key: String) -> PyJSON? {
        get {
            guard case .object(let fields) = self else { return nil }
            return fields.first(where: { $0.key == key })?.value
        }
        set {
            guard case .object(var fields) = self else { return }
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append(PyField(key, newValue))
            }
            self = .object(fields)
        }
    }

    var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    var array: [PyJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    var fields: [PyField]? {
        if case .object(let f) = self { return f }
        return nil
    }

    /// Python's truthiness, for node inputs such as `preview` that may arrive as any JSON.
    var isTruthy: Bool {
        switch self {
        case .null: false
        case .bool(let b): b
        case .int(let i): i != 0
        case .float(let d): d != 0
        case .string(let s): !s.isEmpty
        case .array(let a): !a.isEmpty
        case .object(let o): !o.isEmpty
        }
    }

    /// The numeric value of an int or float.
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .float(let d): d
        default: nil
        }
    }

    /// A string array, e.g. `["4", "5"]`.
    static func strings(_ values: [String]) -> PyJSON { .array(values.map(PyJSON.string)) }
}

extension PyJSON {
    /// Converts what a client sent. Integral numbers become ints, as Python's `json`
    /// would read `64`; a `64.0` the client wrote is indistinguishable here (ComfyCore's
    /// parser keeps numbers as doubles), so it becomes an int too. Inputs whose type
    /// the node declares are converted again by the validator (`FLOAT` → float).
    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let d): self = value.intValue.map(PyJSON.int) ?? .float(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .array(items.map(PyJSON.init))
        case .object(let fields): self = .object(fields.map { PyField($0.key, PyJSON($0.value)) })
        }
    }

    /// The same value as ComfyCore's `JSONValue`, for the public inspection API.
    var jsonValue: JSONValue {
        switch self {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .number(Double(i))
        case .float(let d): .number(d)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(\.jsonValue))
        case .object(let fields): .object(fields.map { JSONField($0.key, $0.value.jsonValue) })
        }
    }
}
