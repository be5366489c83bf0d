/// A JSON value that keeps the order of object keys.
///
/// The server's free-form payloads (`executed.output`, feature flags, node errors,
/// unknown messages) are kept as `JSONValue` so nothing it sends is lost, and the
/// state's own JSON form (`comfysh replay --json`) is built from it.
/// Objects are ordered pairs rather than a `Dictionary`: the protocol's key order is
/// meaningful in places (history is "oldest first"), and small objects are faster to
/// build and compare as arrays.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// Every JSON number, decoded as floating point: the server sends `1` and `1.0` for
    /// the same field (see the fixtures README), and Python may send `NaN`/`Infinity`.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONField])
}

public struct JSONField: Sendable, Hashable {
    public var key: String
    public var value: JSONValue
    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields.first(where: { $0.key == key })?.value
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var doubleValue: Double? {
        if case .number(let d) = self { return d }
        return nil
    }

    public var intValue: Int? {
        guard case .number(let d) = self, d.isFinite, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [JSONField]? {
        if case .object(let o) = self { return o }
        return nil
    }

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
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension Optional where Wrapped == String {
    /// `nil` becomes JSON `null`.
    public var json: JSONValue { map(JSONValue.string) ?? .null }
}

extension Optional where Wrapped == Double {
    public var json: JSONValue { map(JSONValue.number) ?? .null }
}

extension Optional where Wrapped == Int {
    public var json: JSONValue { map { JSONValue.number(Double($0)) } ?? .null }
}

extension Array where Element == String {
    public var json: JSONValue { .array(map(JSONValue.string)) }
}
