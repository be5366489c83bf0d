/// A JSON value that keeps the order of object keys.
///
/// The server's free-form payloads (`executed.output`, feature flags, node errors,
/// unknown messages) are kept as `JSONValue` so nothing it sends is lost, and the
/// state's own JSON form (`comfysh replay --json`) is built from it.
/// Objects are ordered pairs rather than a `Dictionary`: the protocol's key order is
/// meaningful in places (history is "oldest first"), and small objects are faster to
/// build and compare as arrays.
public enum JSONValue: Sendable, Hashable {
    /// JSON `null`: in the state's JSON, a field that is not known.
    case null
    /// JSON `true` or `false`.
    case bool(Bool)
    /// Every JSON number, decoded as floating point: the server sends `1` and `1.0` for
    /// the same field (see the fixtures README), and Python may send `NaN`/`Infinity`.
    case number(Double)
    /// A JSON string.
    case string(String)
    /// A JSON array.
    case array([JSONValue])
    /// A JSON object: its members in the order they were written.
    case object([JSONField])
}

/// One member of a JSON object: a key and its value.
public struct JSONField: Sendable, Hashable {
    /// The member's key.
    public var key: String
    /// The member's value.
    public var value: JSONValue
    /// The member `key: value`.
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension JSONValue {
    /// The value of the first member called `key`; nil when there is none, or this is not an
    /// object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first(where: { $0.key == key })?.value
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The number, if this is one.
    public var doubleValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    /// The number as an `Int`, if this is a whole number that fits exactly (below 9e15).
    public var intValue: Int? {
        guard case .number(let d) = self, d.isFinite, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    /// The Boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members in order, if this is an object.
    public var objectValue: [JSONField]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// True for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// Node ids are strings on the wire, but the frontend's schema accepts numbers too:
    /// normalise both to a string.
    public var idValue: String? {
        switch self {
        case .string(let s): return s
        case .number: return intValue.map(String.init)
        default: return nil
        }
    }

    /// Builds an object from key/value pairs, keeping their order.
    public static func object(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
        .object(pairs.map { JSONField($0.key, $0.value) })
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral
{
    /// A string literal is a JSON string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer literal is a JSON number.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// A floating-point literal is a JSON number.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `true` and `false` are JSON Booleans.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `nil` is JSON `null`.
    public init(nilLiteral: ()) { self = .null }
    /// An array literal is a JSON array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

/// Optional values as JSON, `nil` as `null`: how the state's JSON writes a field that is
/// not known.
extension Optional where Wrapped == String {
    /// `nil` becomes JSON `null`.
    public var json: JSONValue { map(JSONValue.string) ?? .null }
}

/// Optional numbers as JSON: `nil` as `null`.
extension Optional where Wrapped == Double {
    /// `nil` becomes JSON `null`.
    public var json: JSONValue { map(JSONValue.number) ?? .null }
}

/// Optional whole numbers as JSON: `nil` as `null`.
extension Optional where Wrapped == Int {
    /// `nil` becomes JSON `null`.
    public var json: JSONValue { map { JSONValue.number(Double($0)) } ?? .null }
}

/// Arrays of strings (ids, names) as JSON.
extension Array where Element == String {
    /// A JSON array of strings.
    public var json: JSONValue { .array(map(JSONValue.string)) }
}
