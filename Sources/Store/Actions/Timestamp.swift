/// When an action happened, in seconds on the clock of whoever dispatched it
/// (a transcript's `t`, or the Effects layer's clock). Reducers never read a clock:
/// time enters the store only through this field.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds on the dispatcher's clock (a transcript's `t`, or the live client's clock).
    public var seconds: Double

    /// A time `seconds` into the dispatcher's clock.
    public init(seconds: Double) { self.seconds = seconds }
    /// Time zero on the dispatcher's clock: the start of a transcript.
    public static let zero = Timestamp(seconds: 0)

    /// Earlier comes first.
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.seconds < b.seconds }
    /// The seconds from `b` to `a`.
    public static func - (a: Timestamp, b: Timestamp) -> Double { a.seconds - b.seconds }
    /// The time `b` seconds after `a`.
    public static func + (a: Timestamp, b: Double) -> Timestamp { Timestamp(seconds: a.seconds + b) }

    /// Seconds with four decimals, like the transcripts' `t`.
    public var description: String {
        guard let tenThousandths = Int(exactly: (abs(seconds) * 10_000).rounded()) else { return "\(seconds)" }
        let fraction = String(tenThousandths % 10_000).leftPadded(4)
        return "\(seconds < 0 ? "-" : "")\(tenThousandths / 10_000).\(fraction)"
    }
    /// As the state's JSON writes times: a number of seconds, never a string.
    public var json: JSONValue { .number(seconds) }
}
