/// When an action happened, in seconds on the clock of whoever dispatched it
/// (a transcript's `t`, or the Effects layer's clock). Reducers never read a clock:
/// time enters the store only through this field.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }
    public static let zero = Timestamp(seconds: 0)

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }
    public static func - (a: Timestamp, b: Timestamp) -> Double { a.seconds - b.seconds }
    public static func + (a: Timestamp, b: Double) -> Timestamp { Timestamp(seconds: a.seconds + b) }

    /// Seconds with four decimals, like the transcripts' `t`.
    public var description: String {
        guard let tenThousandths = Int(exactly: (abs(seconds) * 10_000).rounded()) else { return "\(seconds)" }
        let fraction = String(tenThousandths % 10_000).leftPadded(4)
        return "\(seconds < 0 ? "-" : "")\(tenThousandths / 10_000).\(fraction)"
    }
    public var json: JSONValue { .number(seconds) }
}
